/**
 * Finding configured secrets where a browser could read them: in the token endpoint's answers
 * and in dist/. The list of secrets comes from configuration objects themselves (every string
 * under a key named like secret / token / key / password / credential), so a new vendor's keys
 * are covered without touching the tests; derived forms (URL-encoded, and HTTP Basic `a:b` in
 * base64 for two secrets of the same block, as CCAI's API credentials are sent) are searched too.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Key names that hold secrets (appKey, appSecret, authToken, companySecret, webhookSecret, credential…). */
export const SECRET_KEY = /secret|token|key|passw(or)?d|credential|auth/i;
/** Keys that match the words but hold no secret (numbers are never taken anyway). */
const NOT_SECRET_KEY = /^(tokenExpireSeconds|tokenLifetimeSeconds|keys?Id)$/i;
/** Shorter values are not searched: they would be found by chance ('42', 'key'). */
export const MIN_SECRET_LENGTH = 8;

export interface Secret {
  /** Where in the configuration it was found, e.g. `providers.udesk.authToken`. */
  where: string;
  value: string;
}

/** Every secret-shaped value of a configuration object, with where it sits. */
export function secretsOf(config: unknown, path = ''): Secret[] {
  const found: Secret[] = [];
  const walk = (value: unknown, where: string, secretKey: boolean): void => {
    if (typeof value === 'string') {
      if (secretKey && value.length >= MIN_SECRET_LENGTH) found.push({ where, value });
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, `${where}[${i}]`, secretKey));
      return;
    }
    if (value && typeof value === 'object') {
      const block: Secret[] = [];
      for (const [key, child] of Object.entries(value)) {
        const isSecret = secretKey || (SECRET_KEY.test(key) && !NOT_SECRET_KEY.test(key));
        const before = found.length;
        walk(child, where ? `${where}.${key}` : key, isSecret);
        if (typeof child === 'string') block.push(...found.slice(before));
      }
      // Two secrets of one block may travel together as HTTP Basic credentials.
      for (const a of block) {
        for (const b of block) {
          if (a !== b) found.push({ where: `basic(${a.where}:${b.where})`, value: Buffer.from(`${a.value}:${b.value}`).toString('base64') });
        }
      }
    }
  };
  walk(config, path, false);
  return found;
}

/** The forms of a secret to search for. */
function forms(secret: Secret): string[] {
  const encoded = encodeURIComponent(secret.value);
  return encoded === secret.value ? [secret.value] : [secret.value, encoded];
}

export interface Exposure {
  /** Where the text was seen (a response, a file). */
  in: string;
  /** Which configured secret (its place in the config, never its value). */
  secret: string;
}

/** Which of `secrets` occur in `text`. */
export function findSecrets(text: string, secrets: readonly Secret[], where: string): Exposure[] {
  const out: Exposure[] = [];
  for (const secret of secrets) {
    if (forms(secret).some((form) => text.includes(form))) out.push({ in: where, secret: secret.where });
  }
  return out;
}

/** Every file under `dir`, recursively. */
export function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}

/** Scans every file under `dir` (source maps included: they carry the sources). */
export function scanDirectory(dir: string, secrets: readonly Secret[]): Exposure[] {
  return filesUnder(dir).flatMap((file) => findSecrets(readFileSync(file, 'latin1'), secrets, relative(dir, file)));
}

/**
 * Secret-shaped literals written in source files (test configurations, simulators, the test
 * runner's config): `appSecret: 'SK-…'`, `"authToken": "…"`, `const APP_SECRET = '…'`.
 */
export function literalSecretsIn(files: readonly string[]): Secret[] {
  const literal = /["']?([A-Za-z_]*(?:secret|token|key|passw(?:or)?d|credential)[A-Za-z_]*)["']?\s*[:=]\s*(["'`])([^"'`\n$]{8,200})\2/gi;
  const found = new Map<string, Secret>();
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(literal)) {
      const [, key = '', , value = ''] = match;
      // Paths, URLs and calls are not secrets ('/apiaccess/…/applyToken').
      if (NOT_SECRET_KEY.test(key) || /^[A-Za-z]+\(|\s|\/|^\./.test(value)) continue;
      if (!found.has(value)) found.set(value, { where: `${relative(process.cwd(), file)}: ${key}`, value });
    }
  }
  return [...found.values()];
}
