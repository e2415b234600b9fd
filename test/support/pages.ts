/**
 * Page-side helpers for end-to-end tests. They read media facts from any page's
 * RTCPeerConnections (recorded by an init script), so the same assertions work for the plain
 * JsSIP phone page here and for the widget later.
 */
import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createC2CHandler } from '../../src/server/handler.ts';
import { serve, type RunningServer } from '../../src/server/node.ts';
import { startHuaweiSimulator, type HuaweiSimulator } from '../../src/sandbox/huawei-simulator.ts';
import { bundleJsSIP, serveStatic, waitFor } from './rig.ts';
import type { StaticServer } from './rig.ts';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Runs in the page before any script: remembers every RTCPeerConnection the page creates.
 * A string, not a function: tsx may inject helpers (`__name`) the page does not have.
 */
const RECORD_PEER_CONNECTIONS = `(() => {
  if (window.__rigPeerConnections) return;
  const list = [];
  window.__rigPeerConnections = list;
  const Native = window.RTCPeerConnection;
  if (!Native) return;
  const Recorded = function (...args) {
    const pc = new Native(...args);
    list.push(pc);
    return pc;
  };
  Recorded.prototype = Native.prototype;
  Object.setPrototypeOf(Recorded, Native);
  window.RTCPeerConnection = Recorded;
})();`;

/** Call before the page loads its code (works on a Page or a whole BrowserContext). */
export async function trackPeerConnections(target: Page | BrowserContext): Promise<void> {
  await target.addInitScript({ content: RECORD_PEER_CONNECTIONS });
}

export interface AudioStats {
  peerConnections: number;
  connectionState: string | null;
  inboundPackets: number;
  inboundBytes: number;
  /** Latest inbound audioLevel (0..1); stays 0 until the remote stream plays in an element. */
  inboundAudioLevel: number;
  inboundAudioEnergy: number;
  outboundPackets: number;
  outboundBytes: number;
  /** Addresses of the selected candidate pair, to see which path media took. */
  localAddress: string | null;
  remoteAddress: string | null;
}

/** getStats() of the page's most recent RTCPeerConnection, reduced to audio facts. */
export async function readAudioStats(page: Page): Promise<AudioStats> {
  return page.evaluate(async () => {
    const list = (window as unknown as { __rigPeerConnections?: RTCPeerConnection[] }).__rigPeerConnections ?? [];
    const pc = list[list.length - 1];
    const result = {
      peerConnections: list.length,
      connectionState: pc ? pc.connectionState : null,
      inboundPackets: 0,
      inboundBytes: 0,
      inboundAudioLevel: 0,
      inboundAudioEnergy: 0,
      outboundPackets: 0,
      outboundBytes: 0,
      localAddress: null as string | null,
      remoteAddress: null as string | null,
    };
    if (!pc) return result;
    const report = await pc.getStats();
    const byId = new Map<string, Record<string, unknown>>();
    report.forEach((s: Record<string, unknown>) => byId.set(String(s.id), s));
    for (const s of byId.values()) {
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        result.inboundPackets += Number(s.packetsReceived ?? 0);
        result.inboundBytes += Number(s.bytesReceived ?? 0);
        result.inboundAudioLevel = Math.max(result.inboundAudioLevel, Number(s.audioLevel ?? 0));
        result.inboundAudioEnergy += Number(s.totalAudioEnergy ?? 0);
      } else if (s.type === 'outbound-rtp' && s.kind === 'audio') {
        result.outboundPackets += Number(s.packetsSent ?? 0);
        result.outboundBytes += Number(s.bytesSent ?? 0);
      } else if (s.type === 'transport' && typeof s.selectedCandidatePairId === 'string') {
        const pair = byId.get(s.selectedCandidatePairId);
        const local = pair && byId.get(String(pair.localCandidateId));
        const remote = pair && byId.get(String(pair.remoteCandidateId));
        if (local) result.localAddress = `${String(local.address ?? local.ip)}:${String(local.port)}`;
        if (remote) result.remoteAddress = `${String(remote.address ?? remote.ip)}:${String(remote.port)}`;
      }
    }
    return result;
  });
}

/** Poll readAudioStats() until `condition` holds; the error carries the last stats seen. */
export async function waitForAudioStats(
  page: Page,
  condition: (stats: AudioStats) => boolean,
  { timeoutMs = 8_000, intervalMs = 100, what = 'audio stats condition' }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<AudioStats> {
  let last: AudioStats | undefined;
  try {
    await waitFor(what, async () => condition((last = await readAudioStats(page))), { timeoutMs, intervalMs });
  } catch (error) {
    throw new Error(`${String(error)}; last stats: ${JSON.stringify(last)}`);
  }
  return last as AudioStats;
}

/** Audio both ways in the sense of the tests: packets counted and a non-silent level heard. */
export const audioFlows = (minPackets: number) => (s: AudioStats): boolean =>
  s.inboundPackets >= minPackets && s.outboundPackets >= minPackets && s.inboundAudioLevel > 0;

// ---------------------------------------------------------------------------------------------
// The plain JsSIP phone page

export interface PhoneSite {
  server: StaticServer;
  /** URL of phone.html. */
  phoneUrl: string;
  close(): Promise<void>;
}

/** Builds the JsSIP bundle next to the phone page in a temp dir and serves it on 127.0.0.1. */
export async function servePhoneSite(): Promise<PhoneSite> {
  const dir = await mkdtemp(join(tmpdir(), 'rig-pages-'));
  await Promise.all([
    bundleJsSIP(join(dir, 'jssip.js')),
    copyFile(join(here, 'pages', 'phone.html'), join(dir, 'phone.html')),
    copyFile(join(here, 'pages', 'phone.js'), join(dir, 'phone.js')),
  ]);
  const server = await serveStatic(dir);
  return {
    server,
    phoneUrl: `${server.url}/phone.html`,
    async close() {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface PhoneStartOptions {
  wsUrl: string;
  uri: string;
  register?: boolean;
  autoAnswer?: boolean;
}

export interface PhoneLogEntry {
  event: string;
  at: number;
  [key: string]: unknown;
}

/** A Playwright page running phone.js, with typed wrappers over `window.phone`. */
export interface Phone {
  page: Page;
  call(target: string): Promise<{ confirmedMs: number }>;
  hangup(): Promise<void>;
  sendDTMF(tones: string, transportType?: 'INFO' | 'RFC2833'): Promise<void>;
  log(): Promise<PhoneLogEntry[]>;
  waitForEvent(event: string, timeoutMs?: number): Promise<PhoneLogEntry>;
  stats(): Promise<AudioStats>;
  close(): Promise<void>;
}

interface PhoneWindow {
  phone: {
    log: PhoneLogEntry[];
    start(o: PhoneStartOptions): Promise<void>;
    call(target: string): Promise<{ confirmedMs: number }>;
    hangup(): void;
    sendDTMF(tones: string, transportType: string): void;
    stop(): void;
  };
}

export async function openPhone(browser: Browser, site: PhoneSite, options: PhoneStartOptions): Promise<Phone> {
  const page = await browser.newPage();
  await trackPeerConnections(page);
  await page.goto(site.phoneUrl);
  await page.waitForFunction(() => 'phone' in window);
  await page.evaluate((o) => (window as unknown as PhoneWindow).phone.start(o), options);
  const log = () => page.evaluate(() => (window as unknown as PhoneWindow).phone.log);
  return {
    page,
    call: (target) => page.evaluate((t) => (window as unknown as PhoneWindow).phone.call(t), target),
    hangup: () => page.evaluate(() => (window as unknown as PhoneWindow).phone.hangup()),
    sendDTMF: (tones, transportType = 'INFO') =>
      page.evaluate(([t, k]) => (window as unknown as PhoneWindow).phone.sendDTMF(t, k), [tones, transportType] as const),
    log,
    async waitForEvent(event, timeoutMs = 5_000) {
      let found: PhoneLogEntry | undefined;
      await waitFor(`phone event '${event}'`, async () => Boolean((found = (await log()).find((e) => e.event === event))), {
        timeoutMs,
        intervalMs: 50,
      });
      return found as PhoneLogEntry;
    },
    stats: () => readAudioStats(page),
    async close() {
      await page.evaluate(() => (window as unknown as PhoneWindow).phone.stop()).catch(() => undefined);
      await page.close();
    },
  };
}

/** A Huawei simulator handing out `gwAddresses` and the real token endpoint in front of it, for one site. */
export interface HuaweiStack {
  simulator: HuaweiSimulator;
  endpoint: RunningServer;
  close(): Promise<void>;
}

/** Starts a HuaweiStack whose endpoint allows `site`'s origin; destination `sales` dials `accessCode`. */
export async function startHuaweiStack(
  site: StaticServer,
  gateway: { domain: string; gwAddresses: string[]; accessCode: string },
  queueMs = 0,
): Promise<HuaweiStack> {
  const simulator = await startHuaweiSimulator({
    appKey: 'e2e-key',
    appSecret: 'e2e-secret',
    channelId: 'e2e-channel',
    gateway,
    script: { outcome: 'connect', queueMs },
  });
  const endpoint = await serve({
    port: 0,
    handler: createC2CHandler({
      allowedOrigins: [site.url],
      destinations: { sales: { provider: 'huawei' } },
      providers: { huawei: { baseUrl: simulator.url, appKey: 'e2e-key', appSecret: 'e2e-secret', channelId: 'e2e-channel' } },
    }),
  });
  return {
    simulator,
    endpoint,
    async close() {
      await endpoint.close();
      await simulator.close();
    },
  };
}
