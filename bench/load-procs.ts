/**
 * Child processes of the token-endpoint load benchmark (bench/load.ts), so that the endpoint,
 * the simulated vendors and the load generator (autocannon, in the parent) do not share one
 * event loop on a 2-core machine:
 *
 *   node --import tsx bench/load-procs.ts vendors    the Huawei and Sarv simulators
 *   node --import tsx bench/load-procs.ts endpoint   the real token endpoint (createC2CHandler + serve)
 *
 * The endpoint's configuration comes as JSON in C2C_BENCH_CONFIG (the parent builds it, limits
 * included). Each child answers `{ ready }` over IPC once listening, then IPC requests:
 * `counts` (vendors: requests per path so far) and `usage` (CPU and heap of the process).
 * Both stop on `close` or when the parent goes away.
 */
import { pathToFileURL } from 'node:url';
import { startHuaweiSimulator } from '../src/sandbox/huawei-simulator.ts';
import { startSarvSimulator } from '../src/sandbox/sarv-simulator.ts';
import { createC2CHandler, serve } from '../src/server/index.ts';

export const BENCH_HUAWEI = { appKey: 'bench-app-key', appSecret: 'bench-app-secret', channelId: 'bench-web-channel' };
export const BENCH_SARV = { userId: '42', token: 'bench-sarv-token', webhookSecret: 'bench-sarv-webhook-secret-0123456789abcdef' };

export type ToChild = { id: number; type: 'counts' | 'usage' | 'close' };
export type FromChild =
  | { type: 'ready'; urls: Record<string, string> }
  | { type: 'reply'; id: number; value: unknown }
  | { type: 'failed'; message: string };

function usage() {
  const cpu = process.cpuUsage();
  return { cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, heapUsed: process.memoryUsage().heapUsed, rss: process.memoryUsage().rss };
}

async function main(role: string): Promise<void> {
  const send = (message: FromChild) => process.send?.(message);
  let close: () => Promise<void>;
  let counts: () => Record<string, number> = () => ({});
  if (role === 'vendors') {
    // 'hold': a started call stays queued, so the simulator runs no per-call timers under load.
    const huawei = await startHuaweiSimulator({ ...BENCH_HUAWEI, gateway: { gwAddresses: ['ws://127.0.0.1:9'] }, script: { outcome: 'hold' } });
    // No Push Report URL: the simulator reports nothing back to the endpoint during the run.
    const sarv = await startSarvSimulator({ userId: BENCH_SARV.userId, token: BENCH_SARV.token, script: { outcome: 'answered', ringMs: 20, talkSeconds: 1 } });
    counts = () => ({
      tokenByAkSk: huawei.count('tokenByAkSk'),
      applyToken: huawei.count('applyToken'),
      createClickToCall: huawei.count('createClickToCall'),
      huaweiRequests: huawei.requests.length,
      sarvRequests: sarv.requests.length,
    });
    close = async () => void (await Promise.all([huawei.close(), sarv.close()]));
    send({ type: 'ready', urls: { huawei: huawei.url, sarv: sarv.url } });
  } else if (role === 'endpoint') {
    const config = JSON.parse(process.env.C2C_BENCH_CONFIG ?? 'null') as unknown;
    if (!config) throw new Error('C2C_BENCH_CONFIG is not set');
    let errors = 0;
    const handler = createC2CHandler(config as Parameters<typeof createC2CHandler>[0], {
      onError: (error) => {
        // Counted and the first few printed: an unexpected error under load is a finding.
        if (++errors <= 3) console.error('[bench endpoint] unexpected error', error);
      },
    });
    const server = await serve({ handler, port: 0 });
    counts = () => ({ unexpectedErrors: errors });
    close = async () => {
      handler.close();
      await server.close();
    };
    send({ type: 'ready', urls: { endpoint: server.url } });
  } else {
    throw new Error(`unknown role '${role}' (vendors or endpoint)`);
  }
  process.on('message', (message: ToChild) => {
    if (message.type === 'close') {
      void close().finally(() => process.exit(0));
      return;
    }
    send({ type: 'reply', id: message.id, value: message.type === 'counts' ? counts() : usage() });
  });
  process.on('disconnect', () => void close().finally(() => process.exit(0)));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv[2] ?? '').catch((error: unknown) => {
    process.send?.({ type: 'failed', message: String((error as Error)?.stack ?? error) } satisfies FromChild);
    process.exit(1);
  });
}
