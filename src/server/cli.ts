/**
 * `c2c-server`: runs the token endpoint from a config file and/or C2C_* environment variables.
 * `c2c-server subscribe-udesk`: registers the endpoint's udesk webhook URL with udesk, once.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { createC2CHandler } from './handler.ts';
import { jsonLines, LOG_LEVELS, type LogLevel } from './log.ts';

const LEVELS = [...LOG_LEVELS, 'silent'] as const;
import { serve } from './node.ts';
import { C2CError } from './provider.ts';
import { subscribeWebhook } from './providers/udesk.ts';
import { CALL_CATEGORY_EVENTS, DEFAULT_SUBSCRIBED_EVENTS } from './providers/udesk-schemas.ts';

export const USAGE = `Usage: c2c-server [--config <file>] [--port <n>] [--host <address>] [--sandbox]
       c2c-server subscribe-udesk --config <file> --url <webhook URL> [--via subscriptions|app] [--events a,b,c]

  --config <file>   JSON configuration (environment variables C2C_* override it)
  --port <n>        port to listen on (default 8787)
  --host <address>  address to listen on (default 127.0.0.1)
  --sandbox         run with the built-in vendor simulators instead of real vendors
  --log <level>     structured log on stdout: debug, info (default), warn, error or silent
                    (the sandbox's default is warn; C2C_LOG and the config's "log" also set it)
  --help            show this help

subscribe-udesk: tells udesk (providers.udesk in the config) where to send call events, then exits
  --url <url>       this endpoint's public udesk webhook, https://<host>[/<path>]/webhooks/udesk
                    (http only for 127.0.0.1 or localhost, for testing)
  --via <api>       subscriptions (default): udesk's message subscription API, carrying the URL;
                    app: the application's CallbackUrl plus the call event subscription
                    (only call-category events; agent_* are not in that list)
  --events a,b,c    the event names (default: ${DEFAULT_SUBSCRIBED_EVENTS.join(',')})
`;

export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
}

export interface CliResult {
  /** Non-zero when the server did not start. */
  code: number;
  url?: string;
  close?: () => Promise<void>;
}

const defaultIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
};

export async function main(argv: string[], io: CliIo = defaultIo): Promise<CliResult> {
  if (argv[0] === 'subscribe-udesk') return subscribeUdesk(argv.slice(1), io);
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        sandbox: { type: 'boolean' },
        log: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${USAGE}`);
    return { code: 2 };
  }
  const level = values.log;
  if (level !== undefined && !(LEVELS as readonly string[]).includes(level)) {
    io.stderr(`--log: expected ${LEVELS.join(', ')}, got '${level}'\n`);
    return { code: 2 };
  }
  const logger = jsonLines((line) => io.stdout(`${line}\n`));
  if (values.help) {
    io.stdout(USAGE);
    return { code: 0 };
  }
  const port = values.port === undefined ? 8787 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.stderr(`--port: expected a port number, got '${values.port}'\n`);
    return { code: 2 };
  }
  const host = values.host ?? '127.0.0.1';

  if (values.sandbox) {
    // SANDBOX HOOK: the simulators and the demo live in src/sandbox (written by the lead),
    // loaded only on --sandbox so a production server never loads them.
    const { startSandbox } = await import('../sandbox/index.ts');
    const fromEnv = (LEVELS as readonly string[]).includes(io.env.C2C_LOG ?? '') ? io.env.C2C_LOG : undefined;
    const sandbox = await startSandbox({ port, host, log: (level ?? fromEnv ?? 'warn') as LogLevel | 'silent', logger });
    return { code: 0, url: sandbox.url, close: () => sandbox.close() };
  }

  try {
    const loaded = loadConfig({ ...(values.config ? { file: values.config } : {}), env: io.env });
    const config = { ...loaded, log: (level as LogLevel | 'silent' | undefined) ?? loaded.log ?? 'info' };
    const running = await serve({ handler: createC2CHandler(config, { logger }), port, host });
    io.stdout(`c2c-server listening on ${running.url}\n`);
    return { code: 0, url: running.url, close: running.close };
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`${error.message}\n`);
      return { code: 1 };
    }
    io.stderr(`c2c-server could not start: ${(error as Error).message}\n`);
    return { code: 1 };
  }
}

/* ----------------------------------------------------------------------------------------- */
/* subscribe-udesk                                                                            */

const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);
const WEBHOOK_SUFFIX = '/webhooks/udesk';
const EVENT_NAME = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/** The reason `text` is not a usable udesk webhook URL, or null when it is. */
export function udeskWebhookUrlProblem(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a URL';
  }
  const local = LOCAL_HOSTS.has(url.hostname.toLowerCase());
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    return url.protocol === 'http:' ? 'udesk must reach it over https (http only for 127.0.0.1 or localhost)' : 'not an https URL';
  }
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.search || url.hash) return 'must not carry a query string or fragment (udesk adds its own query)';
  if (!url.pathname.endsWith(WEBHOOK_SUFFIX)) return `the path must end in ${WEBHOOK_SUFFIX}, where this endpoint takes udesk's callbacks`;
  return null;
}

/** Replaces every configured secret in `text` (belt and braces: no message should hold one). */
function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length >= 4) out = out.split(secret).join('***');
  return out;
}

async function subscribeUdesk(argv: string[], io: CliIo): Promise<CliResult> {
  const usage = (message: string): CliResult => {
    io.stderr(`subscribe-udesk: ${message}\n\n${USAGE}`);
    return { code: 2 };
  };
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        url: { type: 'string' },
        via: { type: 'string' },
        events: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    return usage((error as Error).message);
  }
  if (values.help) {
    io.stdout(USAGE);
    return { code: 0 };
  }
  if (!values.config) return usage('--config <file> is required (providers.udesk holds the udesk keys)');
  if (values.url === undefined) return usage('--url <webhook URL> is required');
  const problem = udeskWebhookUrlProblem(values.url);
  if (problem) return usage(`--url '${values.url}': ${problem}`);
  const via = values.via ?? 'subscriptions';
  if (via !== 'subscriptions' && via !== 'app') return usage(`--via: expected subscriptions or app, got '${values.via}'`);
  let events: string[] = [...DEFAULT_SUBSCRIBED_EVENTS];
  if (values.events !== undefined) {
    events = [...new Set(values.events.split(',').map((e) => e.trim()).filter(Boolean))];
    const bad = events.find((e) => !EVENT_NAME.test(e));
    if (events.length === 0) return usage('--events: expected a comma-separated list of event names');
    if (bad !== undefined) return usage(`--events: '${bad}' is not an event name`);
  }
  if (via === 'app') {
    const known = new Set<string>(CALL_CATEGORY_EVENTS);
    if (!events.some((e) => known.has(e))) {
      return usage(`--events: none of ${events.join(', ')} is in udesk's call event list, which --via app subscribes to`);
    }
  }

  let udesk;
  try {
    const config = loadConfig({ file: values.config, env: io.env });
    udesk = config.providers.udesk;
  } catch (error) {
    io.stderr(`${error instanceof ConfigError ? error.message : `Cannot load ${values.config}: ${(error as Error).message}`}\n`);
    return { code: 1 };
  }
  if (!udesk) {
    io.stderr(`Invalid configuration: providers.udesk: Required (subscribe-udesk needs the udesk keys baseUrl, appId, sid, authToken, secret in ${values.config})\n`);
    return { code: 1 };
  }
  const secrets = [udesk.authToken, udesk.secret];

  try {
    const result = await subscribeWebhook(udesk, values.url, events, { via });
    const skipped = events.filter((e) => !result.events.includes(e));
    const lines = [
      `Subscribed ${values.url} to udesk (${udesk.baseUrl}) call events.`,
      `  via:          ${result.via === 'subscriptions' ? 'subscriptions (message subscription API)' : 'app (application CallbackUrl + webhooks/events, category call)'}`,
      `  subscription: ${result.subscriptionId ?? '(none: the application CallbackUrl carries it)'}`,
      `  events:       ${result.events.join(', ')}`,
      ...(skipped.length ? [`  not subscribed (not in udesk's call event list): ${skipped.join(', ')}`] : []),
    ];
    io.stdout(redact(`${lines.join('\n')}\n`, secrets));
    return { code: 0 };
  } catch (error) {
    if (error instanceof C2CError) {
      io.stderr(redact(`subscribe-udesk failed: ${error.code}: ${error.message}\n`, secrets));
    } else {
      io.stderr(redact(`subscribe-udesk failed: ${(error as Error).message ?? String(error)}\n`, secrets));
    }
    return { code: 1 };
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await main(process.argv.slice(2));
  if (result.code !== 0) process.exitCode = result.code;
}
