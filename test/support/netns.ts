/**
 * A network namespace for the browser, joined to the host by a veth pair on a private /30, with
 * `tc netem` on either end: the impairment rig. Needs root (or CAP_NET_ADMIN + CAP_SYS_ADMIN)
 * and iproute2 (`ip`, `tc`).
 *
 *   host namespace                         namespace <name>
 *   <hostIf> 10.a.b.(n+1)/30  <── veth ──>  <nsIf> 10.a.b.(n+2)/30, lo
 *   (servers listen here)                   (Chromium runs here; no default route)
 *
 * Netem sits on the egress of each end: `side: 'browser'` impairs what the browser sends,
 * `side: 'host'` what it receives, `side: 'both'` (the default) both directions. A `delayMs` is
 * per direction, so with 'both' the round trip grows by twice it (RTT ≈ 2 × delayMs).
 *
 * Every `ip`/`tc` call has a 5 s timeout. `teardown()` is idempotent and never throws; an exit
 * hook tears down whatever a crashed test left behind.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './rig.ts';

const IP = process.env.IP_PATH ?? 'ip';
const TC = process.env.TC_PATH ?? 'tc';
const COMMAND_TIMEOUT_MS = 5_000;

export type Side = 'browser' | 'host' | 'both';

export interface Impairment {
  /** Share of packets dropped, 0..100. */
  lossPercent?: number;
  /** Added one-way delay per impaired direction. */
  delayMs?: number;
  /** Random variation of that delay (netem's jitter; needs delayMs > 0). */
  jitterMs?: number;
}

export type Backend = 'netem' | 'wire';

export interface WireStats {
  browser: { forwarded: number; dropped: number };
  host: { forwarded: number; dropped: number };
}

export interface NetNs {
  /** Namespace name (`ip netns exec <name> ...`). */
  name: string;
  backend: Backend;
  /** Host end of the link (veth or TAP, in the host namespace) and its address: servers listen on it. */
  hostIf: string;
  hostAddress: string;
  /** Browser end of the link (inside the namespace) and its address. */
  nsIf: string;
  nsAddress: string;
  /** The /30, e.g. 10.87.12.4/30. */
  subnet: string;
  /** Runs a command inside the namespace (bounded), returns stdout. */
  exec(command: string, args: string[]): Promise<string>;
  /** Replaces the netem on `side` (default both); an empty impairment still installs netem (no-op). */
  impair(impairment: Impairment, side?: Side): Promise<void>;
  /** Removes netem from `side` (default both). Idempotent. */
  clear(side?: Side): Promise<void>;
  /** 100 % loss both ways (on) or no netem at all (off). */
  blackout(on: boolean): Promise<void>;
  /** The impairment in place, for failure messages: `tc qdisc show` or the wire's counters. */
  describe(): Promise<string>;
  /** Backend 'wire' only (else null): frames forwarded and dropped per direction so far. */
  wireStats(): Promise<WireStats | null>;
  /** Stops the wire, deletes the namespace and the host end. Idempotent, never throws. */
  teardown(): Promise<void>;
}

function run(command: string, args: string[], timeoutMs = COMMAND_TIMEOUT_MS): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(' ')}: ${String(stderr).trim() || error.message}`));
      else resolve(String(stdout));
    });
  });
}

/** Last-resort clean-up of namespaces this process made (sync: it runs in an 'exit' hook). */
const live = new Map<string, string>();
/** Process groups of running wire.py processes. */
const wires = new Set<number>();
let exitHooked = false;

function removeSync(name: string, hostIf: string): void {
  for (const args of [['netns', 'del', name], ['link', 'del', hostIf]]) {
    try {
      execFileSync(IP, args, { timeout: COMMAND_TIMEOUT_MS, stdio: 'ignore' });
    } catch {
      // Already gone.
    }
  }
}

function hookProcessExit(): void {
  if (exitHooked) return;
  exitHooked = true;
  const removeAll = () => {
    for (const pid of wires) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    wires.clear();
    for (const [name, hostIf] of live) removeSync(name, hostIf);
    live.clear();
  };
  process.once('exit', removeAll);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    const onSignal = () => {
      removeAll();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    if (process.listenerCount(signal) === 0) process.once(signal, onSignal);
  }
}

/** IPv4 networks (address, prefix) already on this host: addresses and routes. */
async function usedNetworks(): Promise<Array<[number, number]>> {
  const out = (await run(IP, ['-4', '-o', 'addr', 'show'])) + '\n' + (await run(IP, ['-4', 'route', 'show', 'table', 'all']));
  const nets: Array<[number, number]> = [];
  for (const m of out.matchAll(/(\d+\.\d+\.\d+\.\d+)(?:\/(\d+))?/g)) {
    nets.push([toInt(m[1] as string), m[2] === undefined ? 32 : Number(m[2])]);
  }
  return nets;
}

const toInt = (a: string) => a.split('.').reduce((n, o) => n * 256 + Number(o), 0) >>> 0;
const toAddr = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join('.');
const mask = (prefix: number) => (prefix === 0 ? 0 : (~0 << (32 - prefix)) >>> 0);
const overlaps = (a: number, ap: number, b: number, bp: number) => {
  const p = Math.min(ap, bp);
  return ((a & mask(p)) >>> 0) === ((b & mask(p)) >>> 0);
};

/** A random 10.64-250.x.y/30 that overlaps no address or route on the host (default route aside). */
async function pickSubnet(): Promise<number> {
  const used = (await usedNetworks()).filter(([, p]) => p > 0);
  for (let i = 0; i < 50; i++) {
    const base = toInt(`10.${randomInt(64, 251)}.${randomInt(0, 256)}.0`) + randomInt(0, 64) * 4;
    if (!used.some(([n, p]) => overlaps(base, 30, n, p))) return base;
  }
  throw new Error('no free 10.x.y.z/30 found in 50 tries');
}

let netemSupport: Promise<boolean> | undefined;

/** Whether this kernel has sch_netem: tried once per process on a throwaway veth pair. */
export function kernelHasNetem(): Promise<boolean> {
  netemSupport ??= (async () => {
    const probe = `c2cp${randomBytes(3).toString('hex')}`;
    try {
      await run(IP, ['link', 'add', probe, 'type', 'veth', 'peer', 'name', `${probe}x`]);
      await run(TC, ['qdisc', 'add', 'dev', probe, 'root', 'netem', 'delay', '1ms']);
      return true;
    } catch {
      return false;
    } finally {
      await run(IP, ['link', 'del', probe]).catch(() => undefined);
    }
  })();
  return netemSupport;
}

/** The wire process (backend 'wire'): a JSON command per line in, a JSON answer per line out. */
interface Wire {
  send(command: Record<string, unknown>): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

const WIRE_SCRIPT = fileURLToPath(new URL('./wire.py', import.meta.url));
const PYTHON = process.env.PYTHON ?? 'python3';

async function startWire(hostIf: string, nsIf: string, name: string): Promise<Wire> {
  const child = spawn(PYTHON, [WIRE_SCRIPT, hostIf, nsIf, name], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const pid = child.pid;
  if (pid) wires.add(pid);
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const lines = createInterface({ input: child.stdout });
  const waiting: Array<(line: string) => void> = [];
  lines.on('line', (line) => waiting.shift()?.(line));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const nextLine = (what: string) =>
    new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`wire: no answer to ${what} within ${COMMAND_TIMEOUT_MS} ms; stderr: ${stderr}`)), COMMAND_TIMEOUT_MS);
      const onExit = () => reject(new Error(`wire exited (${String(child.exitCode ?? child.signalCode)}); stderr: ${stderr}`));
      child.once('exit', onExit);
      waiting.push((line) => {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve(line);
      });
    });
  const stop = async () => {
    child.stdin.end();
    const gone = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 1_000))]);
    if (!gone && pid) {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      await exited;
    }
    if (pid) wires.delete(pid);
  };
  try {
    const first = await nextLine('start');
    if (first !== 'ready') throw new Error(`wire said '${first}'; stderr: ${stderr}`);
  } catch (error) {
    await stop();
    throw error;
  }
  let queue = Promise.resolve();
  return {
    send(command) {
      // One command at a time: answers come back in order.
      const answer = queue.then(async () => {
        const line = nextLine(JSON.stringify(command));
        child.stdin.write(`${JSON.stringify(command)}\n`);
        const reply = JSON.parse(await line) as Record<string, unknown>;
        if (reply.ok !== true) throw new Error(`wire refused ${JSON.stringify(command)}: ${String(reply.error)}`);
        return reply;
      });
      queue = answer.then(() => undefined, () => undefined);
      return answer;
    },
    stop,
  };
}

export interface NetNsOptions {
  /**
   * 'netem': a veth pair with `tc netem` on its ends. 'wire': a TAP pair joined by wire.py (a
   * userspace netem) for kernels without sch_netem. Default: netem if the kernel has it, else
   * wire; the env C2C_IMPAIR_BACKEND overrides.
   */
  backend?: Backend;
}

/**
 * Creates the namespace and the link, addresses both ends, brings up lo and the links.
 * On any failure what was made is removed before the error is thrown.
 */
export async function createNetNs(options: NetNsOptions = {}): Promise<NetNs> {
  hookProcessExit();
  const wanted = options.backend ?? (process.env.C2C_IMPAIR_BACKEND as Backend | undefined);
  if (wanted !== undefined && wanted !== 'netem' && wanted !== 'wire') throw new Error(`unknown impairment backend '${String(wanted)}'`);
  const backend: Backend = wanted ?? ((await kernelHasNetem()) ? 'netem' : 'wire');
  const id = randomBytes(3).toString('hex');
  const name = `c2c-impair-${process.pid}-${id}`;
  const hostIf = `c2ch${id}`;
  const nsIf = `c2cb${id}`;
  const base = await pickSubnet();
  const hostAddress = toAddr(base + 1);
  const nsAddress = toAddr(base + 2);
  const subnet = `${toAddr(base)}/30`;
  const inNs = (args: string[]) => run(IP, ['netns', 'exec', name, ...args]);
  let wire: Wire | null = null;

  let tornDown = false;
  const teardown = async () => {
    if (tornDown) return;
    tornDown = true;
    await wire?.stop().catch(() => undefined);
    // Deleting the namespace destroys its end of the link and with a veth the peer too; a
    // process still inside keeps the namespace alive, so the host end is deleted explicitly.
    await run(IP, ['netns', 'del', name]).catch(() => undefined);
    await run(IP, ['link', 'del', hostIf]).catch(() => undefined);
    live.delete(name);
  };

  live.set(name, hostIf);
  try {
    await run(IP, ['netns', 'add', name]);
    if (backend === 'netem') {
      await run(IP, ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
      await run(IP, ['link', 'set', nsIf, 'netns', name]);
    } else {
      wire = await startWire(hostIf, nsIf, name);
    }
    await run(IP, ['addr', 'add', `${hostAddress}/30`, 'dev', hostIf]);
    await run(IP, ['link', 'set', hostIf, 'up']);
    await inNs([IP, 'addr', 'add', `${nsAddress}/30`, 'dev', nsIf]);
    await inNs([IP, 'link', 'set', 'lo', 'up']);
    await inNs([IP, 'link', 'set', nsIf, 'up']);
  } catch (error) {
    await teardown();
    throw error;
  }

  /** Runs `tc qdisc <verb> dev <end> root ...` on each end `side` names. */
  const qdisc = (side: Side, verb: string, extra: string[] = []) => {
    const jobs: Array<Promise<string>> = [];
    if (side === 'browser' || side === 'both') jobs.push(inNs([TC, 'qdisc', verb, 'dev', nsIf, 'root', ...extra]));
    if (side === 'host' || side === 'both') jobs.push(run(TC, ['qdisc', verb, 'dev', hostIf, 'root', ...extra]));
    return Promise.all(jobs);
  };

  const clear = async (side: Side = 'both') => {
    if (wire) {
      await wire.send({ side, clear: true });
      return;
    }
    // "Cannot delete qdisc with handle of zero" / "No such file": nothing was installed.
    const sides: Side[] = side === 'both' ? ['browser', 'host'] : [side];
    await Promise.all(sides.map((one) => qdisc(one, 'del').catch(() => undefined)));
  };

  const impair = async ({ lossPercent = 0, delayMs = 0, jitterMs = 0 }: Impairment, side: Side = 'both') => {
    if (!(lossPercent >= 0 && lossPercent <= 100 && delayMs >= 0 && jitterMs >= 0)) {
      throw new Error(`bad impairment ${JSON.stringify({ lossPercent, delayMs, jitterMs })}`);
    }
    if (wire) {
      await wire.send({ side, loss: lossPercent, delay: delayMs, jitter: jitterMs });
      return;
    }
    const netem = ['netem'];
    if (delayMs > 0 || jitterMs > 0) {
      netem.push('delay', `${delayMs}ms`);
      if (jitterMs > 0) netem.push(`${jitterMs}ms`);
    }
    if (lossPercent > 0) netem.push('loss', `${lossPercent}%`);
    await qdisc(side, 'replace', netem);
  };

  return {
    name,
    backend,
    hostIf,
    hostAddress,
    nsIf,
    nsAddress,
    subnet,
    exec: (command, args) => inNs([command, ...args]),
    impair,
    clear,
    async blackout(on) {
      if (on) await impair({ lossPercent: 100 });
      else await clear();
    },
    async describe() {
      if (wire) return JSON.stringify(await wire.send({ stats: true }));
      const [browser, host] = await Promise.all([
        inNs([TC, 'qdisc', 'show', 'dev', nsIf]).catch((e: Error) => e.message),
        run(TC, ['qdisc', 'show', 'dev', hostIf]).catch((e: Error) => e.message),
      ]);
      return `browser: ${browser.trim()}; host: ${host.trim()}`;
    },
    async wireStats() {
      if (!wire) return null;
      return (await wire.send({ stats: true })).stats as WireStats;
    },
    teardown,
  };
}

/** Shorthand for a later recovery test: 100 % loss both ways on, or every impairment off. */
export const blackout = (ns: NetNs, on: boolean): Promise<void> => ns.blackout(on);

// ---------------------------------------------------------------------------------------------
// Chromium inside the namespace

export interface NsChromium {
  browser: Browser;
  close(): Promise<void>;
}

/**
 * Debian's Chromium inside `ns`, driven by playwright-core over its pipe (fds 3/4 survive the
 * `ip netns exec` + `exec` of the wrapper, so Playwright needs no network path to it).
 * `secureOrigins` are plain-http origins Chromium treats as secure contexts (getUserMedia needs
 * one; http://10.x.y.z is not). Loopback candidates are left out (`--allow-loopback-in-peer-connection`
 * is dropped), so media can only take the veth.
 */
export async function launchChromiumInNs(ns: NetNs, { secureOrigins = [] as string[] } = {}): Promise<NsChromium> {
  const { chromium } = await import('playwright-core');
  const dir = await mkdtemp(join(tmpdir(), 'c2c-netns-chromium-'));
  const wrapper = join(dir, 'chromium-in-ns');
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  await writeFile(wrapper, `#!/bin/sh\nexec ${IP} netns exec ${quote(ns.name)} ${quote(CHROMIUM_PATH)} "$@"\n`);
  await chmod(wrapper, 0o755);
  const args = CHROMIUM_ARGS.filter((a) => a !== '--allow-loopback-in-peer-connection');
  if (secureOrigins.length) args.push(`--unsafely-treat-insecure-origin-as-secure=${secureOrigins.join(',')}`);
  const cleanDir = () => rmSync(dir, { recursive: true, force: true });
  let browser: Browser;
  try {
    browser = await chromium.launch({ executablePath: wrapper, headless: true, args, timeout: 20_000 });
  } catch (error) {
    cleanDir();
    throw error;
  }
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
