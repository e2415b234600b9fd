// Component tests in Debian's Chromium, against the real sandbox: the token endpoint, the
// Huawei simulator and the JsSIP + wrtc agent run in this process (built into dist/ first).
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { build } from 'esbuild';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { playwrightLauncher } from '@web/test-runner-playwright';
import { startSandbox } from './dist/server/sandbox.js';
import { createC2CHandler, createNodeListener } from './dist/server/index.js';

const freePort = () =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });

const port = await freePort();

/** JsSIP is CommonJS with circular requires: serve it as one ESM bundle made by esbuild. */
function jssipBundle() {
  let code;
  return {
    name: 'jssip-bundle',
    resolveImport({ source }) {
      if (source === 'jssip') return '/__jssip.js';
    },
    async serve(context) {
      if (context.path !== '/__jssip.js') return;
      code ??= (
        await build({
          stdin: {
            // `export *` of a CommonJS module gives no named exports: name them.
            contents: "import JsSIP from 'jssip'; export const { UA, WebSocketInterface, C, URI, debug } = JsSIP; export default JsSIP;",
            resolveDir: process.cwd(),
          },
          bundle: true,
          format: 'esm',
          platform: 'browser',
          write: false,
          logLevel: 'silent',
        })
      ).outputFiles[0].text;
      return { body: code, type: 'js' };
    },
  };
}

/** Starts the sandbox and lets tests drive it with executeServerCommand(). */
function sandboxPlugin() {
  let sandbox;
  // A gateway address that accepts TCP and then says nothing: the slow way for one to be dead.
  const hanging = createServer(() => undefined);
  const held = new Set();
  hanging.on('connection', (socket) => {
    held.add(socket);
    socket.on('close', () => held.delete(socket));
  });
  /** A second token endpoint whose probe addresses are dead (the pre-call check's gateway test). */
  let deadProbes = null;
  const deadProbeEndpoint = async () => {
    if (!deadProbes) {
      const handler = createC2CHandler({
        allowedOrigins: [`http://localhost:${port}`, `http://127.0.0.1:${port}`],
        destinations: { sales: { provider: 'huawei' } },
        providers: {
          huawei: {
            baseUrl: sandbox.simulator.url,
            appKey: 'unused',
            appSecret: 'unused',
            channelId: 'unused',
            // Refused at once, and accepted over TCP but never answered: both must fail.
            probeAddresses: ['ws://127.0.0.1:9/dead', `ws://127.0.0.1:${hanging.address().port}`],
          },
        },
      });
      deadProbes = createHttpServer(createNodeListener(handler));
      await new Promise((resolve) => deadProbes.listen(0, '127.0.0.1', resolve));
    }
    return `http://127.0.0.1:${deadProbes.address().port}`;
  };
  /**
   * A hostile or broken token endpoint (not ours): answers what the test scripts, for the
   * widget's handling of whatever text an endpoint sends. Any origin may call it (CORS).
   */
  let hostile = null;
  let hostileScript = {};
  const hostileEndpoint = async (script) => {
    hostileScript = script ?? {};
    if (!hostile) {
      hostile = createHttpServer((req, res) => {
        const cors = {
          'access-control-allow-origin': req.headers.origin ?? '*',
          'access-control-allow-headers': 'authorization, content-type, last-event-id, accept',
          'access-control-allow-methods': 'GET, POST, OPTIONS',
        };
        if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
        const path = new URL(req.url ?? '/', 'http://x').pathname;
        const route = path.endsWith('/session') ? 'session' : path.endsWith('/events') ? 'events' : path.endsWith('/hangup') ? 'hangup' : path.endsWith('/calls') ? 'calls' : 'other';
        const defaults = {
          session: { status: 201, body: { token: 'hostile-session-token-0123456789', expiresAt: Date.now() + 60_000, provider: 'hostile', mode: 'webrtc' } },
          calls: { status: 201, body: { callId: 'hostile-call' } },
          events: { status: 200, body: { events: [] } },
          hangup: { status: 204 },
          other: { status: 404, body: { error: { code: 'not-found', message: 'Not found' } } },
        };
        const answer = hostileScript[route] ?? defaults[route];
        res.writeHead(answer.status, { ...cors, 'content-type': 'application/json' });
        res.end(answer.body === undefined ? '' : JSON.stringify(answer.body));
      });
      await new Promise((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    }
    return `http://127.0.0.1:${hostile.address().port}/c2c`;
  };
  return {
    name: 'c2c-sandbox',
    async serverStart() {
      await new Promise((resolve) => hanging.listen(0, '127.0.0.1', resolve));
      sandbox = await startSandbox({
        port: 0,
        quiet: true,
        queueMs: 200,
        allowedOrigins: [`http://localhost:${port}`, `http://127.0.0.1:${port}`],
      });
    },
    async serverStop() {
      hostile?.closeAllConnections();
      await new Promise((resolve) => (hostile ? hostile.close(resolve) : resolve()));
      deadProbes?.closeAllConnections();
      await new Promise((resolve) => (deadProbes ? deadProbes.close(resolve) : resolve()));
      for (const socket of held) socket.destroy();
      await new Promise((resolve) => hanging.close(resolve));
      await sandbox?.close();
    },
    async executeCommand({ command, payload }) {
      const control = sandbox.simulator.control;
      switch (command) {
        case 'sandbox-info':
          return { endpoint: sandbox.endpoint };
        case 'sim-script':
          control.scriptNextCall(payload);
          return true;
        case 'sim-fail-next':
          control.failNext(payload.path, payload.fault, payload.times ?? 1);
          return true;
        case 'sim-agent-hangup':
          control.agentHangup();
          return true;
        case 'sim-calls':
          return sandbox.simulator.state.calls();
        case 'sim-count':
          return sandbox.simulator.count(payload.path);
        case 'vendor': {
          // Drives a callback vendor's simulator: { vendor: 'sarv'|'udesk'|'ccai', action, args }.
          const target = sandbox[payload.vendor];
          const result = await target.control[payload.action](...(payload.args ?? []));
          // undefined would read as "no plugin handled this command".
          return result === undefined ? true : result;
        }
        case 'hanging-address':
          return `ws://127.0.0.1:${hanging.address().port}`;
        case 'drop-streams':
          return sandbox.dropStreams();
        case 'agent-url':
          return sandbox.agent.url;
        case 'agent-stats':
          return sandbox.agent.stats();
        case 'dead-probe-endpoint':
          return deadProbeEndpoint();
        case 'hostile-endpoint':
          return hostileEndpoint(payload);
        case 'drop-gateway':
          return sandbox.agent.dropConnections(payload ?? {});
        default:
          return undefined;
      }
    },
  };
}

export default {
  files: 'test/components/**/*.test.ts',
  port,
  hostname: '127.0.0.1',
  nodeResolve: { browser: true, exportConditions: ['production'] },
  concurrency: 1,
  rootDir: '.',
  plugins: [jssipBundle(), esbuildPlugin({ ts: true, tsconfig: 'tsconfig.json', target: 'es2022' }), sandboxPlugin()],
  browsers: [
    playwrightLauncher({
      product: 'chromium',
      launchOptions: {
        executablePath: process.env.CHROME_PATH ?? '/usr/bin/chromium',
        args: [
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
        ],
      },
    }),
  ],
  testFramework: { config: { timeout: 20000 } },
  testsFinishTimeout: 300000,
};
