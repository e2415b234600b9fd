/**
 * Real servers for end-to-end tests, each on loopback and on ports the OS says are free:
 * Kamailio (SIP over WebSocket + UDP), rtpengine (userspace), baresip (an auto-answering
 * RTP agent), Chromium through playwright-core, a static HTTP server and a browser bundle of
 * JsSIP. Every start waits for readiness with a bounded probe; every stop is by PID.
 */
import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtemp, readFile, rm, writeFile, stat } from 'node:fs/promises';
import { createReadStream, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, connect as tcpConnect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '..', '..');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const KAMAILIO_MODULES = process.env.KAMAILIO_MODULES ?? '/usr/lib/x86_64-linux-gnu/kamailio/modules/';
export const BARESIP_MODULES = process.env.BARESIP_MODULES ?? '/usr/lib/baresip/modules';

// ---------------------------------------------------------------------------------------------
// Ports and waiting

/** A TCP port the OS just handed out (bind 0, read, release). */
export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createTcpServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolvePort(port));
    });
  });
}

/** A UDP port the OS just handed out. */
export function freeUdpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const socket = createSocket('udp4');
    socket.once('error', reject);
    socket.bind(0, host, () => {
      const { port } = socket.address();
      socket.close(() => resolvePort(port));
    });
  });
}

function udpPortIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolveFree) => {
    const socket = createSocket('udp4');
    socket.once('error', () => {
      socket.close();
      resolveFree(false);
    });
    socket.bind(port, host, () => socket.close(() => resolveFree(true)));
  });
}

/** A port free for both TCP and UDP (Kamailio may use both on one port). */
export async function freePortBothProtocols(host = '127.0.0.1'): Promise<number> {
  for (let i = 0; i < 20; i++) {
    const port = await freeTcpPort(host);
    if (await udpPortIsFree(port, host)) return port;
  }
  throw new Error('no port free for both TCP and UDP');
}

/** `count` consecutive UDP ports, all free right now, outside the kernel's ephemeral range. */
export async function freeUdpRange(count: number, host = '127.0.0.1'): Promise<{ min: number; max: number }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    // Ephemeral ports on Linux start at 32768; stay below to avoid racing with OS-assigned ones.
    const min = 20_000 + 2 * Math.floor(Math.random() * 5_000);
    let ok = true;
    for (let p = min; p < min + count && ok; p++) ok = await udpPortIsFree(p, host);
    if (ok) return { min, max: min + count - 1 };
  }
  throw new Error(`no free UDP range of ${count} ports`);
}

/** Poll `check` until it returns true, every `intervalMs`, failing after `timeoutMs`. */
export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  { timeoutMs = 5_000, intervalMs = 25 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function tcpPortOpen(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolveOpen) => {
    const socket = tcpConnect({ port, host });
    socket.once('connect', () => {
      socket.destroy();
      resolveOpen(true);
    });
    socket.once('error', () => resolveOpen(false));
  });
}

/** Send one SIP OPTIONS over UDP and report whether any response came back in time. */
export function sipUdpPing(port: number, host = '127.0.0.1', timeoutMs = 300): Promise<boolean> {
  return new Promise((resolvePing) => {
    const socket = createSocket('udp4');
    const finish = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolvePing(ok);
    };
    const timer = setTimeout(() => finish(false), timeoutMs);
    socket.once('message', (msg) => finish(msg.toString().startsWith('SIP/2.0 ')));
    socket.once('error', () => finish(false));
    socket.bind(0, '127.0.0.1', () => {
      const local = socket.address().port;
      const branch = `z9hG4bK${Math.random().toString(36).slice(2)}`;
      const msg = [
        `OPTIONS sip:${host}:${port} SIP/2.0`,
        `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=${branch};rport`,
        'Max-Forwards: 70',
        `From: <sip:rig@127.0.0.1>;tag=${branch.slice(7)}`,
        `To: <sip:${host}:${port}>`,
        `Call-ID: ${branch}@rig`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n');
      socket.send(msg, port, host);
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Processes

/** Command-line fragments unique to each process the rig started (kamailio forks children). */
const startedMarkers = new Set<string>();

/**
 * Processes started by this rig (in this Node process) that are still running, as `pgrep -a -f`
 * lines. Other suites on the same machine may run their own Kamailio: a global pgrep would
 * count theirs too.
 */
export function leftoverRigProcesses(): string[] {
  const lines = new Set<string>();
  for (const marker of startedMarkers) {
    try {
      const out = execFileSync('pgrep', ['-a', '-f', '--', marker], { encoding: 'utf8' });
      for (const line of out.split('\n')) if (line.trim() && !line.includes('pgrep')) lines.add(line.trim());
    } catch {
      // pgrep exits 1 when nothing matches.
    }
  }
  return [...lines];
}

/** Running rig processes and their temp dirs, for the last-resort clean-up below. */
const running = new Map<number, { dir?: string }>();
let exitHooked = false;

/**
 * If the test process ends without stop() (a crash, a timeout's SIGTERM, Ctrl-C), kill what the
 * rig started and remove its temp dirs. A signal is re-raised afterwards so the exit status
 * stays what it would have been.
 */
function hookProcessExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  const killAll = () => {
    for (const [pid, { dir }] of running) {
      try {
        // The whole process group: Kamailio's children too.
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
    running.clear();
  };
  process.once('exit', killAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = () => {
      killAll();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    // Only when nobody else handles the signal: then our listener must not change the default.
    if (process.listenerCount(signal) === 0) process.once(signal, onSignal);
  }
}

export interface RigProcess {
  child: ChildProcess;
  pid: number;
  /** stdout + stderr so far. */
  log(): string;
  exited: Promise<number | null>;
  stop(graceMs?: number): Promise<void>;
}

/** Spawn with output captured; stop() is SIGTERM, then SIGKILL after `graceMs`. */
export function spawnRig(
  command: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; marker?: string; dir?: string } = {},
): RigProcess {
  if (options.marker) startedMarkers.add(options.marker);
  hookProcessExit();
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group, so a last-resort kill reaches every child it forked.
    detached: true,
  });
  if (child.pid === undefined) throw new Error(`could not start ${command}`);
  const pid = child.pid;
  running.set(pid, { dir: options.dir });
  child.once('exit', () => running.delete(pid));
  let output = '';
  const append = (chunk: Buffer) => {
    output += chunk.toString();
    // Bounded: a chatty server must not grow the test process forever.
    if (output.length > 2_000_000) output = output.slice(-1_000_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolveExit) => {
    if (child.exitCode !== null || child.signalCode !== null) resolveExit(child.exitCode);
    else child.once('exit', (code) => resolveExit(code));
  });
  let stopping: Promise<void> | undefined;
  return {
    child,
    pid,
    log: () => output,
    exited,
    stop(graceMs = 3_000) {
      stopping ??= (async () => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        process.kill(pid, 'SIGTERM');
        let timer: ReturnType<typeof setTimeout> | undefined;
        const killed = await Promise.race([
          exited.then(() => false),
          new Promise<boolean>((r) => (timer = setTimeout(() => r(true), graceMs))),
        ]);
        clearTimeout(timer);
        if (killed) {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            // Exited between the check and the kill.
          }
          await exited;
        }
      })();
      return stopping;
    },
  };
}

async function failStart(proc: RigProcess, dir: string | undefined, what: string, error: unknown): Promise<never> {
  await proc.stop(500);
  if (dir) await rm(dir, { recursive: true, force: true });
  throw new Error(`${what} did not start: ${String(error)}\n--- log ---\n${proc.log().slice(-4000)}`);
}

// ---------------------------------------------------------------------------------------------
// Kamailio

export interface KamailioOptions {
  rtpengine?: { ngPort: number };
  /** SIP domain Kamailio treats as its own. */
  domain?: string;
}

export interface KamailioHandle {
  wsUrl: string;
  wsPort: number;
  sipUdpPort: number;
  domain: string;
  pid: number;
  log(): string;
  stop(): Promise<void>;
}

/** Free ports are asked for, then bound by another process: another suite may win the race. */
async function retryOnPortClash<T>(start: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await start();
    } catch (error) {
      if (i >= attempts || !/Address already in use|EADDRINUSE|cannot bind|bind failed/i.test(String(error))) throw error;
    }
  }
}

export function startKamailio(options: KamailioOptions = {}): Promise<KamailioHandle> {
  return retryOnPortClash(() => startKamailioOnce(options));
}

async function startKamailioOnce(options: KamailioOptions): Promise<KamailioHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'rig-kamailio-'));
  const wsPort = await freePortBothProtocols();
  const sipUdpPort = await freeUdpPort();
  const domain = options.domain ?? 'rig.test';
  const template = await readFile(join(here, 'kamailio', 'kamailio.cfg.tpl'), 'utf8');
  const cfg = template
    .replaceAll('{{UDP_PORT}}', String(sipUdpPort))
    .replaceAll('{{WS_PORT}}', String(wsPort))
    .replaceAll('{{DOMAIN}}', domain)
    .replaceAll('{{MODULE_PATH}}', KAMAILIO_MODULES)
    .replaceAll('{{NG_PORT}}', String(options.rtpengine?.ngPort ?? 0));
  const cfgPath = join(dir, 'kamailio.cfg');
  await writeFile(cfgPath, cfg);
  const args = ['-f', cfgPath, '-DD', '-E', '-m', '64', '-M', '8', '-Y', dir, '-P', join(dir, 'kamailio.pid'), '-w', dir];
  if (options.rtpengine) args.push('-A', 'WITH_RTPENGINE');
  const proc = spawnRig('kamailio', args, { cwd: dir, marker: cfgPath, dir });
  try {
    await waitFor('kamailio WS port', async () => {
      if (proc.child.exitCode !== null) throw new Error(`exited with ${proc.child.exitCode}`);
      return tcpPortOpen(wsPort);
    });
    await waitFor('kamailio SIP/UDP reply', () => sipUdpPing(sipUdpPort), { intervalMs: 10 });
  } catch (error) {
    return failStart(proc, dir, 'kamailio', error);
  }
  return {
    wsUrl: `ws://127.0.0.1:${wsPort}`,
    wsPort,
    sipUdpPort,
    domain,
    pid: proc.pid,
    log: proc.log,
    async stop() {
      await proc.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Local ports of established TCP connections from 127.0.0.1 clients to 127.0.0.1:`port`. */
function clientPortsTo(port: number): number[] {
  const out = execFileSync('ss', ['-t', '-n', '-H', 'state', 'established', 'dst', '127.0.0.1', 'dport', '=', `:${port}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Columns: Recv-Q Send-Q Local:Port Peer:Port
  return out
    .split('\n')
    .map((line) => line.trim().split(/\s+/)[2])
    .filter((local): local is string => Boolean(local))
    .map((local) => Number(local.slice(local.lastIndexOf(':') + 1)));
}

/**
 * Kills every client TCP connection to Kamailio's WebSocket port, as a network failure would:
 * the kernel aborts the client sockets (`ss -K`, SOCK_DESTROY), which sends a RST, so the
 * browser sees its WebSocket close (1006) and Kamailio sees "connection reset" at once.
 * Kamailio keeps running and listening: its location table, Record-Route based dialog routing
 * and rtpengine's call all survive, so a client can reconnect to the same URL right away.
 * Resolves with the client ports it killed (at least one, else it throws). Needs root or
 * CAP_NET_ADMIN and a kernel with CONFIG_INET_DIAG_DESTROY.
 */
export async function dropWebSocketConnections(kamailio: { wsPort: number }): Promise<number[]> {
  const before = clientPortsTo(kamailio.wsPort);
  if (before.length === 0) throw new Error(`no client connection to 127.0.0.1:${kamailio.wsPort} to drop`);
  try {
    execFileSync('ss', ['-K', '-t', '-n', 'state', 'established', 'dst', '127.0.0.1', 'dport', '=', `:${kamailio.wsPort}`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    throw new Error(`ss -K failed (needs CAP_NET_ADMIN and SOCK_DESTROY): ${String(error)}`);
  }
  // The same client ports must be gone; the client may already have reconnected from a new one.
  await waitFor(`connections ${before.join(',')} aborted`, () => !clientPortsTo(kamailio.wsPort).some((p) => before.includes(p)), {
    timeoutMs: 1_000,
  }).catch((error: unknown) => {
    throw new Error(`${String(error)}: ss -K did not abort them (not permitted here?)`);
  });
  return before;
}

// ---------------------------------------------------------------------------------------------
// rtpengine

export interface RtpengineHandle {
  ngPort: number;
  portMin: number;
  portMax: number;
  pid: number;
  log(): string;
  /** Sends an ng `ping` and resolves true on `pong`. */
  ping(): Promise<boolean>;
  /** Events from the DTMF log so far (empty unless started with `dtmfLog`). */
  dtmfEvents(): RtpengineDtmfEvent[];
  stop(): Promise<void>;
}

/** One bencoded ng request/response over UDP. */
export function rtpengineNg(ngPort: number, command: Record<string, string>, timeoutMs = 500): Promise<string | null> {
  return new Promise((resolveNg) => {
    const socket = createSocket('udp4');
    const cookie = Math.random().toString(36).slice(2, 10);
    const finish = (value: string | null) => {
      clearTimeout(timer);
      socket.close();
      resolveNg(value);
    };
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.once('message', (msg) => {
      const text = msg.toString('latin1');
      finish(text.startsWith(`${cookie} `) ? text.slice(cookie.length + 1) : null);
    });
    socket.once('error', () => finish(null));
    const body = Object.entries(command)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([k, v]) => `${k.length}:${k}${Buffer.byteLength(v)}:${v}`)
      .join('');
    socket.send(`${cookie} d${body}e`, ngPort, '127.0.0.1');
  });
}

export interface RtpengineOptions {
  /**
   * Collect the RFC 4733 events rtpengine sees (decrypted, from either side) through
   * `--dtmf-log-dest`: one JSON datagram per finished event, read by `dtmfEvents()`.
   */
  dtmfLog?: boolean;
  /** Extra command-line flags, e.g. `--log-level=7`. */
  extraArgs?: string[];
}

/** One event from rtpengine's DTMF log (`--dtmf-log-dest`). */
export interface RtpengineDtmfEvent {
  callid: string;
  source_tag: string;
  source_ip: string;
  /** RFC 4733 event code: 0-9 digits, 10 `*`, 11 `#`, 12-15 A-D. */
  event: number;
  /** In the telephone-event clock's units as the sender wrote them, converted to ms by rtpengine. */
  duration: number;
}

/** RFC 4733 event code to its key. */
export const dtmfKey = (event: number): string => '0123456789*#ABCD'[event] ?? '?';

export function startRtpengine(options: RtpengineOptions = {}): Promise<RtpengineHandle> {
  return retryOnPortClash(() => startRtpengineOnce(options));
}

async function startRtpengineOnce(options: RtpengineOptions): Promise<RtpengineHandle> {
  const ngPort = await freeUdpPort();
  const { min, max } = await freeUdpRange(100);
  const dtmfEvents: RtpengineDtmfEvent[] = [];
  const dtmfSocket = options.dtmfLog ? createSocket('udp4') : undefined;
  if (dtmfSocket) {
    dtmfSocket.on('message', (msg) => {
      try {
        dtmfEvents.push(JSON.parse(msg.toString()) as RtpengineDtmfEvent);
      } catch {
        // Not one of rtpengine's JSON events: ignore.
      }
    });
    await new Promise<void>((r, reject) => {
      dtmfSocket.once('error', reject);
      dtmfSocket.bind(0, '127.0.0.1', () => r());
    });
  }
  const closeDtmfSocket = () => new Promise<void>((r) => (dtmfSocket ? dtmfSocket.close(() => r()) : r()));
  const dtmfArgs = dtmfSocket ? [`--dtmf-log-dest=127.0.0.1:${dtmfSocket.address().port}`] : [];
  const proc = spawnRig('rtpengine', [
    '--config-file=none',
    '--table=-1',
    '--interface=127.0.0.1',
    `--listen-ng=127.0.0.1:${ngPort}`,
    `--port-min=${min}`,
    `--port-max=${max}`,
    '--foreground',
    '--log-stderr',
    '--log-level=6',
    '--num-threads=2',
    '--delete-delay=0',
    ...dtmfArgs,
    ...(options.extraArgs ?? []),
  ], { marker: `--listen-ng=127.0.0.1:${ngPort}` });
  const ping = async () => (await rtpengineNg(ngPort, { command: 'ping' }, 200))?.includes('pong') ?? false;
  try {
    await waitFor('rtpengine ng pong', async () => {
      if (proc.child.exitCode !== null) throw new Error(`exited with ${proc.child.exitCode}`);
      return ping();
    }, { intervalMs: 10 });
  } catch (error) {
    await closeDtmfSocket();
    return failStart(proc, undefined, 'rtpengine', error);
  }
  return {
    ngPort,
    portMin: min,
    portMax: max,
    pid: proc.pid,
    log: proc.log,
    ping,
    dtmfEvents: () => [...dtmfEvents],
    async stop() {
      await proc.stop();
      await closeDtmfSocket();
    },
  };
}

// ---------------------------------------------------------------------------------------------
// baresip

export interface BaresipOptions {
  user: string;
  /** e.g. `sip:127.0.0.1:5060` (Kamailio's UDP address). */
  registrar: string;
  toneHz?: number;
  /**
   * The account's `audio_codecs`, best first (default `opus/48000/2,PCMU,PCMA`). baresip offers
   * and answers `telephone-event/8000` only, whatever the codec.
   */
  audioCodecs?: string;
  /** `-v`: debug lines (jitter buffer, RTP) in the log. */
  verbose?: boolean;
}

export interface HeardAudio {
  /** Decoded samples baresip wrote to its sndfile dump (what it heard from the far end). */
  samples: number;
  seconds: number;
  /** RMS over all samples, 0..1. */
  rms: number;
  /** Peak amplitude, 0..1. */
  peak: number;
  file: string | null;
}

export interface BaresipHandle {
  pid: number;
  sipPort: number;
  log(): string;
  received(): Promise<HeardAudio>;
  /** The `*-dec.wav` files (what baresip heard), one per call, oldest first by name. */
  recordings(): Promise<string[]>;
  /**
   * RFC 4733 digits baresip received so far, in order, from its log lines
   * `received event: 'X' (end=0)` (one per digit; the `end=1` line marks the release).
   */
  dtmfReceived(): string;
  /**
   * One command through baresip's `ctrl_tcp` module (netstring JSON), e.g. `hangup` to end
   * the call from the agent's side; resolves with the response's `data` or rejects on `ok: false`.
   */
  command(command: string, params?: string): Promise<string>;
  stop(): Promise<void>;
}

/** A netstring-JSON request to baresip's ctrl_tcp; resolves with the first `response` message. */
function baresipCtrl(port: number, command: string, params = '', timeoutMs = 2_000): Promise<string> {
  return new Promise((resolveCmd, reject) => {
    const socket = tcpConnect({ port, host: '127.0.0.1' });
    const token = Math.random().toString(36).slice(2);
    let buffer = Buffer.alloc(0);
    const finish = (error: Error | null, data = '') => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolveCmd(data);
    };
    const timer = setTimeout(() => finish(new Error(`baresip ctrl_tcp: no answer to '${command}' in ${timeoutMs} ms`)), timeoutMs);
    socket.once('error', (error) => finish(error));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const colon = buffer.indexOf(':');
        if (colon < 0) return;
        const length = Number(buffer.subarray(0, colon).toString());
        if (buffer.length < colon + 1 + length + 1) return;
        const body = buffer.subarray(colon + 1, colon + 1 + length).toString();
        buffer = buffer.subarray(colon + 1 + length + 1);
        let message: { response?: boolean; ok?: boolean; data?: string; token?: string };
        try {
          message = JSON.parse(body) as typeof message;
        } catch {
          continue;
        }
        if (message.response) {
          if (message.ok === false) finish(new Error(`baresip '${command}' failed: ${message.data ?? ''}`));
          else finish(null, message.data ?? '');
          return;
        }
      }
    });
    socket.once('connect', () => {
      const json = JSON.stringify({ command, params, token });
      socket.write(`${Buffer.byteLength(json)}:${json},`);
    });
  });
}

/** 16-bit mono/stereo PCM from a WAV that may still be growing (header sizes are stale). */
export interface Pcm {
  rate: number;
  channels: number;
  /** First channel, -1..1. */
  samples: Float32Array;
}

export async function readWav(file: string): Promise<Pcm> {
  const buf = await readFile(file);
  const rate = buf.length >= 28 ? buf.readUInt32LE(24) || 8000 : 8000;
  const channels = buf.length >= 24 ? buf.readUInt16LE(22) || 1 : 1;
  const dataAt = buf.indexOf('data');
  const start = dataAt >= 0 ? dataAt + 8 : 44;
  const frames = Math.max(0, Math.floor((buf.length - start) / (2 * channels)));
  const samples = new Float32Array(frames);
  for (let i = 0; i < frames; i++) samples[i] = buf.readInt16LE(start + 2 * channels * i) / 32768;
  return { rate, channels, samples };
}

export interface AudioSegment {
  loud: boolean;
  startS: number;
  endS: number;
  /** Highest 10 ms-frame RMS inside the segment. */
  maxRms: number;
}

/**
 * Splits PCM into alternating loud / quiet segments by the RMS of 10 ms frames against
 * `threshold`. Positions are in seconds of recorded audio, so they line up with what the far
 * end sent regardless of when the test process looked.
 */
export function audioSegments(pcm: Pcm, threshold = 0.01, frameMs = 10): AudioSegment[] {
  const frame = Math.max(1, Math.round((pcm.rate * frameMs) / 1000));
  const segments: AudioSegment[] = [];
  for (let i = 0; i + frame <= pcm.samples.length; i += frame) {
    let sum = 0;
    for (let j = i; j < i + frame; j++) sum += pcm.samples[j]! * pcm.samples[j]!;
    const rms = Math.sqrt(sum / frame);
    const loud = rms >= threshold;
    const last = segments.at(-1);
    const startS = i / pcm.rate;
    const endS = (i + frame) / pcm.rate;
    if (last && last.loud === loud) {
      last.endS = endS;
      last.maxRms = Math.max(last.maxRms, rms);
    } else {
      segments.push({ loud, startS, endS, maxRms: rms });
    }
  }
  return segments;
}

/** RMS and peak of the samples between two positions (seconds). */
export function levelBetween(pcm: Pcm, startS: number, endS: number): { rms: number; peak: number } {
  const from = Math.max(0, Math.floor(startS * pcm.rate));
  const to = Math.min(pcm.samples.length, Math.ceil(endS * pcm.rate));
  let sum = 0;
  let peak = 0;
  for (let i = from; i < to; i++) {
    const v = pcm.samples[i]!;
    sum += v * v;
    peak = Math.max(peak, Math.abs(v));
  }
  return { rms: to > from ? Math.sqrt(sum / (to - from)) : 0, peak };
}

/** The digits in baresip's `received event: 'X' (end=0)` log lines, in order. */
export function baresipDtmf(log: string): string {
  // RFC 4733 events ("received event: '1' (end=0)") and SIP INFO ("received DTMF: '1' (duration=120)").
  return [...log.matchAll(/received event: '(.)' \(end=0\)|received DTMF: '(.)'/g)].map((m) => m[1] ?? m[2]).join('');
}

/** Summarise 16-bit PCM after a WAV header; sizes in the header may be stale while recording. */
function summarisePcm16(buf: Buffer, sampleRate: number, channels = 1): Omit<HeardAudio, 'file'> {
  const dataAt = buf.indexOf('data');
  const start = dataAt >= 0 ? dataAt + 8 : 44;
  const samples = Math.max(0, Math.floor((buf.length - start) / 2));
  let sum = 0;
  let peak = 0;
  for (let i = 0; i < samples; i++) {
    const v = buf.readInt16LE(start + 2 * i) / 32768;
    sum += v * v;
    if (Math.abs(v) > peak) peak = Math.abs(v);
  }
  // Interleaved channels (opus is recorded as stereo): seconds count frames, not samples.
  return { samples, seconds: samples / channels / sampleRate, rms: samples ? Math.sqrt(sum / samples) : 0, peak };
}

export function startBaresip(options: BaresipOptions): Promise<BaresipHandle> {
  return retryOnPortClash(() => startBaresipOnce(options));
}

async function startBaresipOnce(options: BaresipOptions): Promise<BaresipHandle> {
  const dir = await mkdtemp(join(tmpdir(), 'rig-baresip-'));
  // sip_listen binds UDP and TCP on the same port.
  const sipPort = await freePortBothProtocols();
  const rtp = await freeUdpRange(20);
  const ctrlPort = await freeTcpPort();
  const registrarHostPort = options.registrar.replace(/^sips?:/, '').replace(/;.*$/, '');
  const config = [
    'poll_method epoll',
    `sip_listen 127.0.0.1:${sipPort}`,
    // An address, not an interface name: with `lo` baresip picked no usable address.
    'net_interface 127.0.0.1',
    `rtp_ports ${rtp.min}-${rtp.max}`,
    'rtp_timeout 0',
    `audio_source ausine,${options.toneHz ?? 440}`,
    // No sound card here: the player is a bridge nobody reads; sndfile records the decoded side.
    'audio_player aubridge,rig',
    'audio_alert aubridge,rig',
    'audio_srate 8000-48000',
    'audio_channels 1-2',
    // ausine only makes 48 kHz: baresip resamples it for an 8 kHz codec (PCMU/PCMA).
    'ausrc_srate 48000',
    'ausrc_channels 2',
    `snd_path ${dir}`,
    `module_path ${BARESIP_MODULES}`,
    'module g711.so',
    'module opus.so',
    'module ausine.so',
    'module aubridge.so',
    'module sndfile.so',
    'module_app account.so',
    'module_app menu.so',
    'module_app ctrl_tcp.so',
    `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
    '',
  ].join('\n');
  await writeFile(join(dir, 'config'), config);
  await writeFile(
    join(dir, 'accounts'),
    `<sip:${options.user}@${registrarHostPort};transport=udp>;regint=600;answermode=auto;audio_codecs=${options.audioCodecs ?? 'opus/48000/2,PCMU,PCMA'}\n`,
  );
  await writeFile(join(dir, 'contacts'), '');
  const proc = spawnRig('stdbuf', ['-oL', 'baresip', '-f', dir, ...(options.verbose ? ['-v'] : [])], { cwd: dir, marker: `baresip -f ${dir}`, dir });
  try {
    await waitFor('baresip registration', () => {
      if (proc.child.exitCode !== null) throw new Error(`exited with ${proc.child.exitCode}`);
      return /200 OK/.test(proc.log());
    }, { timeoutMs: 8_000 });
  } catch (error) {
    return failStart(proc, dir, 'baresip', error);
  }
  return {
    pid: proc.pid,
    sipPort,
    log: proc.log,
    async received() {
      const { readdir } = await import('node:fs/promises');
      const files = (await readdir(dir)).filter((f) => f.endsWith('.wav') && f.includes('-dec'));
      let best: HeardAudio = { samples: 0, seconds: 0, rms: 0, peak: 0, file: null };
      for (const f of files) {
        const file = join(dir, f);
        const buf = await readFile(file);
        const rate = buf.length >= 28 ? buf.readUInt32LE(24) || 8000 : 8000;
        const channels = buf.length >= 24 ? buf.readUInt16LE(22) || 1 : 1;
        const summary = summarisePcm16(buf, rate, channels);
        if (summary.samples > best.samples) best = { ...summary, file };
      }
      return best;
    },
    async recordings() {
      const { readdir } = await import('node:fs/promises');
      return (await readdir(dir)).filter((f) => f.endsWith('.wav') && f.includes('-dec')).sort().map((f) => join(dir, f));
    },
    dtmfReceived: () => baresipDtmf(proc.log()),
    command: (command, params) => baresipCtrl(ctrlPort, command, params),
    async stop() {
      // baresip needs over 1.5 s to leave after SIGTERM.
      await proc.stop(3_000);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Chromium

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  // Chromium leaves loopback out of its ICE candidates unless told; keeps media on lo.
  '--allow-loopback-in-peer-connection',
];

export interface ChromiumHandle {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Chromium with fake media devices. Playwright gives every launch a fresh temporary profile
 * (user-data-dir) and deletes it on close.
 */
export async function launchChromium(): Promise<ChromiumHandle> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: CHROMIUM_ARGS });
  return { browser, close: () => browser.close() };
}

// ---------------------------------------------------------------------------------------------
// Static files

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wav': 'audio/wav',
};

export interface StaticServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A tiny HTTP server for `dir` on 127.0.0.1: getUserMedia needs a secure-context origin. */
export async function serveStatic(dir: string): Promise<StaticServer> {
  const root = resolve(dir);
  const server = createHttpServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const file = normalize(join(root, path.endsWith('/') ? `${path}index.html` : path));
    if (file !== root && !file.startsWith(root + sep)) {
      res.writeHead(403).end();
      return;
    }
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      res.writeHead(200, {
        'content-type': MIME[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

// ---------------------------------------------------------------------------------------------
// JsSIP for the browser

/**
 * JsSIP is CommonJS with circular requires: one esbuild ESM bundle whose default export is the
 * JsSIP namespace (`import JsSIP from './jssip.js'`).
 */
export async function bundleJsSIP(outFile: string): Promise<void> {
  const esbuild = await import('esbuild');
  await esbuild.build({
    stdin: { contents: "import JsSIP from 'jssip';\nexport default JsSIP;\n", resolveDir: repoRoot, loader: 'js' },
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2020',
    outfile: outFile,
    logLevel: 'silent',
  });
}
