/**
 * The sandbox behind `npm start` / `c2c-server --sandbox`: the real token endpoint in front of
 * a Huawei simulator whose WebRTC gateway is an answering agent made of JsSIP + @roamhq/wrtc,
 * plus the demo page and the built widget, all on one loopback port.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createC2CHandler } from '../server/handler.ts';
import type { LimitsConfig } from '../server/config.ts';
import { createNodeListener } from '../server/node.ts';
import { startAgent, type Agent, type AgentAudio } from './agent.ts';
import { startHuaweiSimulator, type CallScript, type HuaweiSimulator } from './huawei-simulator.ts';
import { startCcaiSimulator, type CcaiSimulator } from './ccai-simulator.ts';
import { startSarvSimulator, type SarvSimulator } from './sarv-simulator.ts';
import { startUdeskSimulator, type UdeskSimulator } from './udesk-simulator.ts';
import { subscribeWebhook, UdeskConfig } from '../server/providers/udesk.ts';
import type { C2CConfigInput } from '../server/config.ts';
import { jsonLines, type C2CLogger, type LogLevel } from '../server/log.ts';

export interface SandboxOptions {
  port?: number;
  host?: string;
  /** The agent sends a tone (default) or echoes the caller. */
  audio?: AgentAudio;
  /** Time in the simulated queue before the agent picks up. */
  queueMs?: number;
  /** Where demo/ and dist/ are; the package root by default. */
  root?: string;
  /** Print nothing (tests). */
  quiet?: boolean;
  /** The token endpoint's log level (default `warn`; `silent` when quiet). */
  log?: LogLevel | 'silent';
  /** Where the log goes (default: JSON lines on stdout). */
  logger?: C2CLogger;
  /** More origins allowed to call the endpoint (a test runner's page, say). */
  allowedOrigins?: string[];
  /** Abuse limits of the endpoint (default: on, but generous enough for a test run). */
  limits?: Partial<LimitsConfig>;
  /** STUN/TURN servers handed to the browser (benchmarks use a dead one). */
  iceServers?: Array<{ urls: string | string[]; username?: string; credential?: string }>;
}

export interface Sandbox {
  url: string;
  /** The token endpoint's URL (`<click-to-call endpoint>`). */
  endpoint: string;
  agent: Agent;
  simulator: HuaweiSimulator;
  sarv: SarvSimulator;
  udesk: UdeskSimulator;
  ccai: CcaiSimulator;
  /**
   * The token endpoint's configuration, secrets included (made up afresh at every start, so
   * that no secret is a constant in the source or in dist/): tests walk it for secrets.
   */
  config: C2CConfigInput;
  /** Cuts every open server-sent-events connection (tests of resume); returns how many. */
  dropStreams(): number;
  close(): Promise<void>;
}

const ACCESS_CODE = '179080000537636';
const DOMAIN = 'sandbox.c2c.invalid';
/** A made-up secret, new at every start: the sandbox's secrets are in no file, dist/ included. */
const secret = (name: string) => `sandbox-${name}-${randomBytes(12).toString('hex')}`;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

const SANDBOX_LIMITS: LimitsConfig = {
  sessionsPerIp: { points: 600, durationSeconds: 60 },
  callsPerIp: { points: 300, durationSeconds: 60 },
  callsPerNumber: { points: 100, durationSeconds: 600 },
  numberCooldownSeconds: 0,
  callsPerDestination: { points: 300, durationSeconds: 60 },
  callsTotal: { points: 600, durationSeconds: 60 },
};

/** Scenarios the demo page can pick for the next call (sandbox only). */
const SCENARIOS: Record<string, CallScript> = {
  answer: { outcome: 'connect' },
  'outside-hours': { createResult: '12' },
  'no-agent': { createResult: '13' },
  'queue-timeout': { outcome: 'queue-timeout', causeDesc: 'All agents are busy. Please try again later.' },
  'agent-hangs-up': { outcome: 'connect', agentHangupAfterMs: 5_000 },
};

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const root = options.root ?? fileURLToPath(new URL('../..', import.meta.url));
  const APP_KEY = secret('huawei-ak');
  const APP_SECRET = secret('huawei-sk');
  const SARV = { userId: '42', token: secret('sarv'), webhookSecret: secret('sarv-webhook') };
  const CCAI = { companyKey: secret('ccai-key'), companySecret: secret('ccai-sk') };
  const UDESK = { appId: 'sandbox-app', sid: 'sandbox-sid', authToken: secret('udesk-auth'), secret: secret('udesk-sk') };
  const queueMs = options.queueMs ?? 1_500;
  // The browser dials the agent's WebSocket URL straight (the simulator hands it out as the
  // gateway), so the agent listens where the sandbox does. A wildcard address is no URL to dial
  // and the agent writes no IPv6 brackets: those keep the agent on loopback, as before.
  const agentHost = options.host && !options.host.includes(':') && options.host !== '0.0.0.0' ? options.host : undefined;
  const agent = await startAgent({ user: ACCESS_CODE, domain: DOMAIN, audio: options.audio ?? 'tone', ...(agentHost ? { host: agentHost } : {}) });
  const simulator = await startHuaweiSimulator({
    appKey: APP_KEY,
    appSecret: APP_SECRET,
    channelId: 'sandbox-web-channel',
    gateway: { domain: DOMAIN, gwAddresses: [agent.url], accessCode: ACCESS_CODE },
    script: { outcome: 'connect', queueMs },
  });
  // Callback vendors: the visitor's phone "rings" for a moment, then the call is reported.
  const sarv = await startSarvSimulator({ userId: SARV.userId, token: SARV.token, script: { outcome: 'answered', ringMs: 1_500, talkSeconds: 30 } });
  const udesk = await startUdeskSimulator({ ...UDESK, stepMs: 1_000, script: { outcome: 'answered', ringMs: 1_500, talkMs: 4_000 } });
  const ccai = await startCcaiSimulator({
    ...CCAI,
    defaultInboundScript: [['queued', 1_000], ['assigned', 1_000], ['connected', 4_000], ['finished']],
  });

  let handler: ReturnType<typeof createNodeListener> | null = null;
  const streams = new Set<ServerResponse>();
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://sandbox').pathname;
    if (path === '/c2c' || path.startsWith('/c2c/')) {
      if ((req.headers.accept ?? '').includes('text/event-stream')) {
        streams.add(res);
        res.on('close', () => streams.delete(res));
      }
      void handler?.(req, res);
      return;
    }
    if (path === '/sandbox/scenario' && req.method === 'POST') {
      void setScenario(req, res, simulator, queueMs);
      return;
    }
    serveFile(root, path, res, { 'content-security-policy': strictCsp(agent.url) });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 8787, options.host ?? '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const config: C2CConfigInput = {
    allowedOrigins: [url, `http://localhost:${port}`, `http://127.0.0.1:${port}`, ...(options.allowedOrigins ?? [])],
    // One process: a fresh key per run, said out loud so the demo prints no warning about it.
    signingKeys: [{ kid: 'sandbox', secret: randomBytes(32).toString('base64url') }],
    // On, as in production, but a test suite calls the same simulated phones back to back.
    limits: { ...SANDBOX_LIMITS, ...options.limits },
    destinations: {
      sales: { provider: 'huawei' },
      'callback-sarv': { provider: 'sarv', to: '101', toType: 'Agent' },
      'callback-udesk': { provider: 'udesk', agentId: '10032', caller: '02811111111', calledDisplay: '02811111111' },
      'callback-ccai': {
        provider: 'ccai',
        menuId: 9,
        lang: 'en',
        // Bookable around the clock, so the demo always has times to offer.
        schedule: { timeZone: 'UTC', days: [0, 1, 2, 3, 4, 5, 6], start: '00:00', end: '23:59', slotMinutes: 30, daysAhead: 2, perSlot: 50 },
      },
    },
    providers: {
      sarv: { baseUrl: sarv.url, ...SARV },
      udesk: { baseUrl: udesk.url, ...UDESK },
      ccai: { baseUrl: ccai.url, ...CCAI, pollIntervalMs: 500 },
      huawei: {
        baseUrl: simulator.url,
        appKey: APP_KEY,
        appSecret: APP_SECRET,
        channelId: 'sandbox-web-channel',
        // The pre-call check's gateway probe: the agent is the sandbox's only gateway.
        probeAddresses: [agent.url],
        ...(options.iceServers ? { iceServers: options.iceServers } : {}),
      },
    },
  };
  // Warnings and worse by default: a line per request would bury the banner under the demo's polls.
  const log = options.log ?? (options.quiet ? 'silent' : 'warn');
  const c2c = createC2CHandler({ ...config, log }, { basePath: '/c2c', logger: options.logger ?? jsonLines((line) => void process.stdout.write(`${line}\n`)) });
  handler = createNodeListener(c2c);
  const handlerClose = () => c2c.close();

  sarv.control.setPushReportUrl(`${url}/c2c/webhooks/sarv/${SARV.webhookSecret}`);
  await subscribeWebhook(UdeskConfig.parse({ baseUrl: udesk.url, ...UDESK }), `${url}/c2c/webhooks/udesk`);

  if (!options.quiet) {
    process.stdout.write(
      [
        '',
        `  Sandbox ready: open ${url}/ in a browser, click Call, and you will hear the agent.`,
        `  Token endpoint: ${url}/c2c  (Huawei simulator ${simulator.url}, agent ${agent.url})`,
        '  Stop with Ctrl+C.',
        '',
      ].join('\n'),
    );
  }

  return {
    url,
    endpoint: `${url}/c2c`,
    agent,
    simulator,
    sarv,
    udesk,
    ccai,
    config,
    dropStreams() {
      const count = streams.size;
      for (const res of streams) res.socket?.destroy();
      streams.clear();
      return count;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
      handlerClose?.();
      await Promise.all([agent.close(), simulator.close(), sarv.close(), udesk.close(), ccai.close()]);
    },
  };
}

async function setScenario(req: IncomingMessage, res: ServerResponse, simulator: HuaweiSimulator, queueMs: number) {
  let body = '';
  for await (const chunk of req) body += chunk;
  const name = (() => {
    try {
      return String((JSON.parse(body) as { scenario?: unknown }).scenario);
    } catch {
      return '';
    }
  })();
  const script = SCENARIOS[name];
  if (!script) {
    res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `unknown scenario '${name}'` }));
    return;
  }
  simulator.control.setDefaultScript({ queueMs, ...script });
  res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true, scenario: name }));
}

/**
 * The strict Content Security Policy of demo/csp.html (README, "Strict Content Security
 * Policy"): no inline code, no eval, Trusted Types enforced with only Lit's `lit-html` policy.
 * `gateway` is where the browser opens its SIP WebSocket (the sandbox's agent).
 */
export function strictCsp(gateway: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `connect-src 'self' ${new URL(gateway).origin}`,
    "media-src 'none'",
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "require-trusted-types-for 'script'",
    'trusted-types lit-html',
  ].join('; ');
}

/** Pages served with their own headers (the strict-CSP demo). */
const PAGE_HEADERS: Record<string, 'content-security-policy'> = { 'demo/csp.html': 'content-security-policy' };

function serveFile(root: string, path: string, res: ServerResponse, pageHeaders: Record<string, string> = {}): void {
  const relative = path === '/' ? 'demo/index.html' : path.replace(/^\/+/, '');
  const file = resolve(root, normalize(relative));
  const allowed = [join(root, 'demo') + sep, join(root, 'dist') + sep];
  // dist/server/ is the Node build (endpoint, CLI, sandbox): nothing a browser needs.
  const serverBuild = join(root, 'dist', 'server') + sep;
  if (!allowed.some((dir) => file.startsWith(dir)) || file.startsWith(serverBuild) || !existsSync(file) || !statSync(file).isFile()) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not found');
    return;
  }
  const header = PAGE_HEADERS[relative];
  res.writeHead(200, {
    'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
    'cache-control': 'no-cache',
    'x-content-type-options': 'nosniff',
    ...(header && pageHeaders[header] ? { [header]: pageHeaders[header] } : {}),
  });
  createReadStream(file).pipe(res);
}
