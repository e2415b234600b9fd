import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/server/index.ts';
import { main } from '../../../src/server/cli.ts';

const huawei = { baseUrl: 'https://aicc.example', appKey: 'k', appSecret: 's', channelId: 'c' };
const good = { allowedOrigins: ['https://shop.example'], destinations: { sales: { provider: 'huawei' } }, providers: { huawei } };

function configError(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected a ConfigError');
}

describe('config', () => {
  it('applies defaults to a minimal valid config', () => {
    const config = loadConfig({ config: good, env: {} });
    assert.equal(config.sessionTtlSeconds, 120);
    assert.equal(config.providers.huawei?.locale, 'en');
    assert.equal(config.providers.huawei?.tokenExpireSeconds, 3600);
    assert.equal(config.destinations.sales?.mediaAbility, '0');
  });

  it('names the key path of a missing secret', () => {
    const { appSecret: _, ...rest } = huawei;
    const error = configError(() => loadConfig({ config: { ...good, providers: { huawei: rest } }, env: {} }));
    assert.match(error.message, /providers\.huawei\.appSecret: Required/);
  });

  it('rejects a token lifetime above Huawei’s 3600 s cap, naming the key', () => {
    const error = configError(() =>
      loadConfig({ config: { ...good, providers: { huawei: { ...huawei, tokenExpireSeconds: 7200 } } }, env: {} }),
    );
    assert.match(error.message, /providers\.huawei\.tokenExpireSeconds/);
  });

  it('rejects a destination whose provider is not configured', () => {
    const error = configError(() => loadConfig({ config: { ...good, providers: {} }, env: {} }));
    assert.match(error.message, /destinations\.sales\.provider/);
    assert.match(error.message, /not configured/);
  });

  it('rejects an allowed origin that is not an origin', () => {
    const error = configError(() => loadConfig({ config: { ...good, allowedOrigins: ['https://shop.example/path'] }, env: {} }));
    assert.match(error.message, /allowedOrigins\.0/);
  });

  it('reads environment variables over the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2c-config-'));
    const file = join(dir, 'c2c.json');
    writeFileSync(file, JSON.stringify({ ...good, providers: { huawei: { ...huawei, appSecret: 'from-file' } } }));
    const config = loadConfig({
      file,
      env: {
        C2C_HUAWEI_APP_SECRET: 'from-env',
        C2C_HUAWEI_BASE_URL: 'http://127.0.0.1:9/',
        C2C_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
        C2C_SESSION_TTL_SECONDS: '60',
      },
    });
    assert.equal(config.providers.huawei?.appSecret, 'from-env');
    assert.equal(config.providers.huawei?.baseUrl, 'http://127.0.0.1:9');
    assert.deepEqual(config.allowedOrigins, ['https://a.example', 'https://b.example']);
    assert.equal(config.sessionTtlSeconds, 60);
  });

  it('builds a whole config from environment variables alone', () => {
    const config = loadConfig({
      env: {
        C2C_DESTINATIONS: 'sales=huawei',
        C2C_HUAWEI_BASE_URL: 'https://aicc.example',
        C2C_HUAWEI_APP_KEY: 'k',
        C2C_HUAWEI_APP_SECRET: 's',
        C2C_HUAWEI_CHANNEL_ID: 'c',
      },
    });
    assert.equal(config.destinations.sales?.provider, 'huawei');
  });

  it('reports a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2c-config-'));
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ nope');
    const error = configError(() => loadConfig({ file, env: {} }));
    assert.match(error.message, /not valid JSON/);
  });
});

describe('c2c-server CLI', () => {
  function io() {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { stdout: (t: string) => void out.push(t), stderr: (t: string) => void err.push(t), env: {} } };
  }

  it('exits non-zero with the key path on a bad config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2c-cli-'));
    const file = join(dir, 'c2c.json');
    const { appSecret: _, ...rest } = huawei;
    writeFileSync(file, JSON.stringify({ ...good, providers: { huawei: rest } }));
    const cli = io();
    const result = await main(['--config', file, '--port', '0'], cli.io);
    assert.equal(result.code, 1);
    assert.match(cli.err.join(''), /providers\.huawei\.appSecret: Required/);
  });

  it('prints usage on --help', async () => {
    const cli = io();
    const result = await main(['--help'], cli.io);
    assert.equal(result.code, 0);
    assert.match(cli.out.join(''), /--config <file>/);
  });

  it('starts, prints its URL and answers /health', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'c2c-cli-'));
    const file = join(dir, 'c2c.json');
    writeFileSync(file, JSON.stringify(good));
    const cli = io();
    const result = await main(['--config', file, '--port', '0'], cli.io);
    try {
      assert.equal(result.code, 0);
      assert.ok(result.url);
      assert.match(cli.out.join(''), new RegExp(`listening on ${result.url}`));
      const health = await fetch(`${result.url}/health`);
      assert.equal(health.status, 200);
    } finally {
      await result.close?.();
    }
  });
});
