/**
 * Test rig: the real handler on a real port, talking HTTP to the real Huawei simulator on
 * another real port. Every browser-visible answer is recorded so tests can scan it for secrets.
 */
import { startHuaweiSimulator, type HuaweiSimulator, type HuaweiSimulatorOptions } from '../../../src/sandbox/huawei-simulator.ts';
import { createC2CHandler, serve, type C2CConfigInput, type C2CHandlerOptions, type RunningServer } from '../../../src/server/index.ts';

export const ORIGIN = 'https://shop.example';
export const OTHER_ORIGIN = 'https://blog.example';
export const APP_KEY = 'AK-7f3a9c-test-app-key';
export const APP_SECRET = 'SK-d41d8c-test-app-secret';
export const CHANNEL_ID = 'web-channel-42';
export const SIGNING_KEY = { kid: 'test-2026', secret: 'test-signing-key-0123456789abcdefghijklmnop' };

/** Abuse limits off: for tests about something else (the limits have their own tests). */
export const NO_LIMITS = {
  sessionsPerIp: false,
  callsPerIp: false,
  callsPerNumber: false,
  numberCooldownSeconds: 0,
  callsPerDestination: false,
  callsTotal: false,
} as const;

export interface Recorded {
  method: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  text: string;
}

export interface Answer {
  status: number;
  body: any;
  headers: Headers;
}

export interface RigOptions {
  sim?: HuaweiSimulatorOptions;
  config?: Partial<C2CConfigInput>;
  huawei?: Record<string, unknown>;
  handler?: C2CHandlerOptions;
}

/** A clock the handler reads; tests move it forward instead of sleeping. */
export class FakeClock {
  t = Date.now();
  now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Rig {
  sim: HuaweiSimulator;
  server: RunningServer;
  clock: FakeClock;
  recorded: Recorded[];
  errors: unknown[];
  request(method: string, path: string, init?: { body?: unknown; raw?: string; token?: string; origin?: string | null; headers?: Record<string, string> }): Promise<Answer>;
  mint(destination?: string, origin?: string | null): Promise<string>;
  startCall(token: string): Promise<string>;
  /** GET events after `after`, by default after the last event this rig has seen for the call. */
  events(token: string, callId: string, after?: string): Promise<Answer>;
  /** Polls until an answer carries an event of `type` (bounded), returns all events seen. */
  pollUntil(token: string, callId: string, type: string, maxPolls?: number): Promise<any[]>;
  hangup(token: string, callId: string): Promise<Answer>;
  secrets(): string[];
  close(): Promise<void>;
}

export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const sim = await startHuaweiSimulator({
    appKey: APP_KEY,
    appSecret: APP_SECRET,
    channelId: CHANNEL_ID,
    longPollMs: 150,
    ...options.sim,
    script: { queueMs: 20, ...options.sim?.script },
  });
  const clock = new FakeClock();
  const errors: unknown[] = [];
  const config = {
    allowedOrigins: [ORIGIN, OTHER_ORIGIN],
    destinations: { sales: { provider: 'huawei' as const } },
    signingKeys: [SIGNING_KEY],
    limits: NO_LIMITS,
    providers: { huawei: { baseUrl: sim.url, appKey: APP_KEY, appSecret: APP_SECRET, channelId: CHANNEL_ID, ...options.huawei } },
    ...options.config,
  } as C2CConfigInput;
  const handler = createC2CHandler(config, {
    now: clock.now,
    onError: (error) => void errors.push(error),
    providerOptions: { huawei: { requestTimeoutMs: 1500, eventsTimeoutMs: 3000 } },
    ...options.handler,
  });
  const server = await serve({ handler, port: 0 });
  const recorded: Recorded[] = [];
  /** The last event id each call's poller has seen. */
  const lastSeen = new Map<string, string>();

  const request: Rig['request'] = async (method, path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    const origin = init.origin === undefined ? ORIGIN : init.origin;
    if (origin !== null) headers.Origin = origin;
    if (init.token) headers.Authorization = `Bearer ${init.token}`;
    let body: string | undefined = init.raw;
    if (init.body !== undefined) {
      body = JSON.stringify(init.body);
      headers['Content-Type'] = 'application/json';
    }
    const response = await fetch(`${server.url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
    const text = await response.text();
    recorded.push({ method, path, status: response.status, headers: Object.fromEntries(response.headers), text });
    let parsed: unknown = undefined;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = text;
    }
    return { status: response.status, body: parsed, headers: response.headers };
  };

  const rig: Rig = {
    sim,
    server,
    clock,
    recorded,
    errors,
    request,
    async mint(destination = 'sales', origin) {
      const answer = await request('POST', '/session', { body: { destination }, origin });
      if (answer.status !== 201) throw new Error(`mint failed: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.token as string;
    },
    async startCall(token) {
      const answer = await request('POST', '/calls', { token, body: {} });
      if (answer.status !== 201) throw new Error(`start failed: ${answer.status} ${JSON.stringify(answer.body)}`);
      return answer.body.callId as string;
    },
    // Like the browser: polls from the last event it has seen, unless told otherwise.
    async events(token, callId, after = lastSeen.get(callId)) {
      const answer = await request('GET', `/calls/${encodeURIComponent(callId)}/events${after ? `?after=${encodeURIComponent(after)}` : ''}`, { token });
      const last = answer.status === 200 ? answer.body?.events?.at(-1)?.id : undefined;
      if (typeof last === 'string') lastSeen.set(callId, last);
      return answer;
    },
    async pollUntil(token, callId, type, maxPolls = 20) {
      const seen: any[] = [];
      for (let i = 0; i < maxPolls; i++) {
        const answer = await rig.events(token, callId);
        if (answer.status !== 200) throw new Error(`poll failed: ${answer.status} ${JSON.stringify(answer.body)}`);
        seen.push(...answer.body.events);
        if (answer.body.events.some((e: any) => e.type === type)) return seen;
      }
      throw new Error(`no ${type} event after ${maxPolls} polls: ${JSON.stringify(seen)}`);
    },
    hangup: (token, callId) => request('POST', `/calls/${encodeURIComponent(callId)}/hangup`, { token }),
    secrets: () => [APP_SECRET, APP_KEY, ...sim.state.issuedSecrets()],
    async close() {
      await server.close();
      await sim.close();
    },
  };
  return rig;
}

/** Fails when any recorded browser-visible answer contains a vendor secret. */
export function leakedSecrets(rig: Rig): string[] {
  const leaks: string[] = [];
  const secrets = rig.secrets();
  for (const r of rig.recorded) {
    const visible = `${r.text}\n${Object.entries(r.headers).map(([k, v]) => `${k}: ${v}`).join('\n')}`;
    for (const secret of secrets) if (visible.includes(secret)) leaks.push(`${r.method} ${r.path} -> ${secret.slice(0, 6)}…`);
  }
  return leaks;
}
