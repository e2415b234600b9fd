/**
 * `c2c-server`: runs the token endpoint from a config file and/or C2C_* environment variables.
 */
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.ts';
import { createC2CHandler } from './handler.ts';
import { serve } from './node.ts';

export const USAGE = `Usage: c2c-server [--config <file>] [--port <n>] [--host <address>] [--sandbox]

  --config <file>   JSON configuration (environment variables C2C_* override it)
  --port <n>        port to listen on (default 8787)
  --host <address>  address to listen on (default 127.0.0.1)
  --sandbox         run with the built-in vendor simulators instead of real vendors
  --help            show this help
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
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        config: { type: 'string' },
        port: { type: 'string' },
        host: { type: 'string' },
        sandbox: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
    }));
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${USAGE}`);
    return { code: 2 };
  }
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
    const sandbox = await startSandbox({ port, host });
    return { code: 0, url: sandbox.url, close: () => sandbox.close() };
  }

  try {
    const config = loadConfig({ ...(values.config ? { file: values.config } : {}), env: io.env });
    const running = await serve({ handler: createC2CHandler(config), port, host });
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

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await main(process.argv.slice(2));
  if (result.code !== 0) process.exitCode = result.code;
}
