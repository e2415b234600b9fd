/**
 * Shared pieces of the property suites: arbitrary JSON, mutations of valid answers (a field
 * removed, a wrong type, a huge string, unicode, numbers as strings, nested nulls, prototype
 * keys), arbitrary raw bodies, a scripted HTTP server on loopback, and the checks every
 * property ends in ("a typed error with a known code, or a valid value").
 *
 * Every property runs with a fixed seed (SEED, or C2C_PROPERTY_SEED to explore): a failure
 * prints the seed and the shrunk counterexample, and reruns the same way.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import fc from 'fast-check';
import { isErrorCode } from '../../../src/protocol/errors.ts';
import { C2CError } from '../../../src/server/provider.ts';
import type { VendorEvent } from '../../../src/server/provider.ts';

export const SEED = Number(process.env.C2C_PROPERTY_SEED ?? 20261122);

/** fast-check parameters: fixed seed, bounded runs, failures reported with their seed. */
export function params<T = unknown>(numRuns: number): fc.Parameters<T> {
  return { seed: SEED, numRuns, verbose: 1 };
}

// ---------------------------------------------------------------------------------------------
// Values

/** Keys that turn into prototype lookups when code indexes a plain object with them. */
export const NASTY_KEYS = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'prototype'] as const;

const texts = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.constantFrom('', ' ', '0', '-1', '1e309', 'NaN', 'null', 'true', '000000', '200', '\u0000', '\u202e', '💥', '𝒶', ...NASTY_KEYS),
);

/** A string of 10^4 to 2·10^5 characters, ASCII or not. */
export const hugeString = fc
  .tuple(fc.integer({ min: 10_000, max: 200_000 }), fc.constantFrom('x', 'é', '😀', '0', ' '))
  .map(([n, c]) => c.repeat(Math.ceil(n / c.length)));

/** A value of the wrong kind for almost any field. */
export const weirdValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 2 }) },
  { weight: 3, arbitrary: texts },
  { weight: 1, arbitrary: hugeString },
  { weight: 2, arbitrary: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(0, -0, 1e308, -1, 2 ** 53 + 1)) },
  { weight: 2, arbitrary: fc.constantFrom(null, true, false, [], {}, [null], { a: null }, [[null]], { '': {} }) },
);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = Array<string | number>;

function paths(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

/** Sets an own property, even `__proto__` (plain assignment would change the prototype). */
function setOwn(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

type Op =
  | { kind: 'remove' | 'null' | 'nest-null' | 'flip-type' | 'wrap-array'; at: number }
  | { kind: 'replace'; at: number; value: unknown }
  | { kind: 'add-key'; at: number; key: string; value: unknown };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constantFrom('remove', 'null', 'nest-null', 'flip-type', 'wrap-array'), at: fc.nat() }) as fc.Arbitrary<Op>,
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), value: weirdValue }),
  fc.record({ kind: fc.constant('add-key' as const), at: fc.nat(), key: fc.oneof(fc.constantFrom(...NASTY_KEYS), texts), value: weirdValue }),
);

/** numbers as strings, strings that hold numbers as numbers, booleans as "true". */
function flip(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value !== '' && Number.isFinite(Number(value)) ? Number(value) : [value];
  if (Array.isArray(value)) return Object.fromEntries(value.map((v, i) => [String(i), v]));
  if (value && typeof value === 'object') return Object.values(value);
  return value === null ? 'null' : 0;
}

function apply(root: unknown, step: Op): unknown {
  const all = paths(root);
  const path = all[step.at % all.length]!;
  const parentPath = path.slice(0, -1);
  const key = path.at(-1);
  let parent: any = root;
  for (const k of parentPath) parent = parent[k];
  const current = key === undefined ? root : parent[key];
  let next: unknown;
  switch (step.kind) {
    case 'remove':
      if (key === undefined) return undefined;
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key];
      return root;
    case 'null':
      next = null;
      break;
    case 'nest-null':
      next = Array.isArray(current) ? [null] : { [typeof key === 'string' ? key : 'value']: null };
      break;
    case 'flip-type':
      next = flip(current);
      break;
    case 'wrap-array':
      next = [current];
      break;
    case 'replace':
      // Copies: fast-check hands out the same constant instances across runs.
      next = structuredClone(step.value);
      break;
    case 'add-key':
      if (current && typeof current === 'object' && !Array.isArray(current)) {
        setOwn(current, step.key, structuredClone(step.value));
        return root;
      }
      next = structuredClone(step.value);
      break;
  }
  if (key === undefined) return next;
  setOwn(parent, key, next);
  return root;
}

/** 1 to 4 mutations of a deep copy of `sample`. */
export function mutationsOf(sample: unknown): fc.Arbitrary<unknown> {
  return fc.array(op, { minLength: 1, maxLength: 4 }).map((ops) => {
    let value: unknown = structuredClone(sample);
    for (const step of ops) value = apply(value, step);
    return value;
  });
}

/** A valid sample as it is, mutated, or any JSON value at all. */
export function answerLike(samples: readonly unknown[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    { weight: 1, arbitrary: fc.constantFrom(...samples) },
    { weight: 5, arbitrary: fc.constantFrom(...samples).chain(mutationsOf) },
    { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3, stringUnit: 'grapheme' }) },
  );
}

/** Deep objects of every JavaScript kind (null prototypes, Maps, typed arrays...). */
export const anythingAtAll = fc.anything({
  maxDepth: 3,
  withBigInt: true,
  withBoxedValues: true,
  withDate: true,
  withMap: true,
  withSet: true,
  withNullPrototype: true,
  withObjectString: true,
  withSparseArray: true,
  withTypedArray: true,
});

/** A raw body: JSON of a sample-like value, truncated JSON, or text that is not JSON at all. */
export function rawBodyLike(samples: readonly unknown[]): fc.Arbitrary<string> {
  const json = answerLike(samples).map((v) => JSON.stringify(v) ?? '');
  return fc.oneof(
    { weight: 6, arbitrary: json },
    { weight: 1, arbitrary: json.chain((text) => fc.nat({ max: Math.max(0, text.length - 1) }).map((n) => text.slice(0, n))) },
    { weight: 1, arbitrary: fc.json() },
    {
      weight: 1,
      arbitrary: fc.oneof(
        fc.string({ maxLength: 40 }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        fc.constantFrom('', ' ', 'null', '<html><body>502 Bad Gateway</body></html>', '{resultCode: "0"}', '\ufeff{}', 'push_report=', 'a=b&c', '[]', '"string"'),
      ),
    },
  );
}

export const contentTypes = fc.constantFrom(
  'application/json',
  'application/json;charset=UTF-8',
  'text/html; charset=utf-8',
  'text/plain',
  'application/octet-stream',
  'application/x-www-form-urlencoded',
  'text/event-stream',
  '',
);

/** HTTP statuses: the usual suspects, and anything from 200 to 599. */
export const statuses = fc.oneof(
  fc.constantFrom(200, 200, 201, 202, 204, 301, 400, 401, 403, 404, 408, 409, 413, 429, 500, 502, 503, 504),
  fc.integer({ min: 200, max: 599 }),
);

// ---------------------------------------------------------------------------------------------
// A scripted HTTP server

export interface SeenRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export type Scripted = { status: number; contentType?: string; headers?: Record<string, string>; body: string } | 'reset';

export interface ScriptedServer {
  url: string;
  requests: SeenRequest[];
  /** How every request is answered until changed. */
  answer(fn: (request: SeenRequest) => Scripted): void;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 and a free port; 'reset' destroys the connection unanswered. */
export async function startScripted(): Promise<ScriptedServer> {
  const requests: SeenRequest[] = [];
  let script: (request: SeenRequest) => Scripted = () => ({ status: 204, body: '' });
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://scripted.invalid');
      const seen = { method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(seen);
      const reply = script(seen);
      if (reply === 'reset') {
        req.socket.destroy();
        return;
      }
      const headers: Record<string, string> = { ...reply.headers };
      if (reply.contentType) headers['content-type'] = reply.contentType;
      res.writeHead(reply.status, headers).end(reply.body);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    answer(fn) {
      script = fn;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Checks

const STACK = /\bat .+:\d+:\d+|\.ts:\d+|node:internal|\n\s+at /;

/** A C2CError with a contract code, an HTTP status of an error and a message without a stack. */
export function assertTypedC2CError(error: unknown): asserts error is C2CError {
  if (!(error instanceof C2CError)) {
    throw new assert.AssertionError({ message: `expected a C2CError, got ${error instanceof Error ? `${error.name}: ${error.message}\n${error.stack}` : String(error)}` });
  }
  assert.ok(isErrorCode(error.code), `unknown code ${error.code}`);
  assert.ok(error.status >= 400 && error.status <= 599, `status ${error.status}`);
  assert.equal(typeof error.message, 'string');
  assert.doesNotMatch(error.message, STACK, 'no stack trace in the message');
}

const VENDOR_TYPES = new Set(['queued', 'ringing', 'connected', 'ended', 'failed', 'scheduled']);

/** What the endpoint needs from a VendorEvent to number it and relay it. */
export function assertVendorEvent(event: unknown, vendorCallId?: string): asserts event is VendorEvent {
  assert.ok(event && typeof event === 'object', `not an event: ${String(event)}`);
  const e = event as VendorEvent;
  assert.equal(typeof e.vendorCallId, 'string');
  assert.ok(e.vendorCallId.length > 0, 'vendorCallId is empty');
  if (vendorCallId !== undefined) assert.equal(e.vendorCallId, vendorCallId);
  assert.ok(VENDOR_TYPES.has(e.type), `unknown type ${String(e.type)}`);
  if (e.type === 'failed') assert.ok(e.code !== undefined && isErrorCode(e.code), `failed with unknown code ${String(e.code)}`);
  else assert.equal(e.code, undefined, 'only failed events carry a code');
  for (const key of ['reason', 'message', 'at', 'vendorEventId'] as const) {
    if (e[key] !== undefined) assert.equal(typeof e[key], 'string', `${key} is not a string`);
  }
  if (e.type === 'scheduled') assert.ok(typeof e.at === 'string' && e.at !== '', 'scheduled without a time');
  if (e.position !== undefined) assert.ok(Number.isFinite(e.position), 'position is not a number');
  if (e.occurredAt !== undefined) assert.ok(Number.isFinite(e.occurredAt), 'occurredAt is not a number');
}

/** Runs `fn`; a C2CError must be typed, anything else thrown fails the property. */
export async function typedOutcome<T>(fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: C2CError }> {
  try {
    return { ok: true, value: await fn() };
  } catch (error) {
    assertTypedC2CError(error);
    return { ok: false, error };
  }
}

/** An endpoint answer that is not 2xx: JSON `{error: {code, message}}` with a known code, never 500 or a stack. */
export function assertErrorAnswer(status: number, text: string, contentType: string | null): void {
  assert.notEqual(status, 500, `500 from the endpoint: ${text}`);
  assert.match(contentType ?? '', /^application\/json/, `error answer as ${contentType}: ${text.slice(0, 200)}`);
  const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
  assert.ok(body.error && typeof body.error === 'object', `no error object: ${text.slice(0, 200)}`);
  assert.ok(isErrorCode(body.error.code), `unknown code ${String(body.error.code)}`);
  assert.equal(typeof body.error.message, 'string');
  assert.doesNotMatch(String(body.error.message), STACK, 'no stack trace');
}

/** Rejects after `ms` so a hang fails the property instead of the whole run. */
export function bounded<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} hung for ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

export type { Json };
