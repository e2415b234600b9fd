/**
 * Session tokens: a JWS (HS256, `kid` in the header) that the endpoint hands the browser at
 * /session. It names one session record and binds it to the page's origin and destination;
 * it starts one call within its short life, and then authorizes that call's events and
 * hang-up for as long as the call lives (the call record, not the token, decides that).
 *
 * Keys rotate without dropping live calls: the first configured key signs, every configured
 * key verifies, so a new key goes first and the old one stays listed until the calls it
 * signed for are over.
 *
 * The JWS is made and checked here with node:crypto's HMAC (RFC 7515 compact form, HS256 only):
 * jose's WebCrypto path cost ~50 µs a token against ~3 µs, on a route that must serve
 * thousands of visitors a second. Anything but exactly HS256 with a known `kid` is refused.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { ErrorCode } from '../protocol/errors.ts';
import { CALL_MODES, type CallMode } from '../protocol/index.ts';
import { C2CError } from './provider.ts';

export interface SigningKey {
  kid: string;
  secret: string;
}

/** What a session token says. Times are epoch seconds, as in a JWT. */
export interface SessionClaims {
  /** The session record's id; also the token's single-use id. */
  jti: string;
  aud: typeof AUDIENCE;
  /** The destination key the session was minted for. */
  dst: string;
  mode: CallMode;
  /** The Origin that minted it, or null for a request without one. */
  org: string | null;
  iat: number;
  exp: number;
}

const AUDIENCE = 'c2c-session';

const Claims = z.object({
  jti: z.string().min(16).max(64),
  aud: z.literal(AUDIENCE),
  dst: z.string().min(1).max(64),
  mode: z.enum(CALL_MODES),
  org: z.string().max(256).nullable(),
  iat: z.number().int(),
  exp: z.number().int(),
});

const Header = z.object({ alg: z.literal('HS256'), kid: z.string().min(1).max(64), typ: z.literal('JWT').optional() }).strict();
const B64URL = /^[A-Za-z0-9_-]+$/;
/** A header or payload longer than this is not one of ours. */
const MAX_PART = 2048;

function b64json(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function parseJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

export class TokenSigner {
  readonly #keys: Map<string, Buffer>;
  readonly #signing: { kid: string; key: Buffer; header: string };
  /** True when no key was configured and a random one was made for this process. */
  readonly ephemeral: boolean;

  constructor(keys: readonly SigningKey[]) {
    this.ephemeral = keys.length === 0;
    const list = this.ephemeral ? [{ kid: `ephemeral-${randomBytes(4).toString('hex')}`, secret: randomBytes(32).toString('base64url') }] : keys;
    this.#keys = new Map(list.map((k) => [k.kid, Buffer.from(k.secret, 'utf8')]));
    const first = list[0]!;
    this.#signing = { kid: first.kid, key: this.#keys.get(first.kid)!, header: b64json({ alg: 'HS256', typ: 'JWT', kid: first.kid }) };
  }

  /** The key id new tokens are signed with. */
  get kid(): string {
    return this.#signing.kid;
  }

  async sign(claims: Omit<SessionClaims, 'aud'>): Promise<string> {
    const payload: SessionClaims = { ...claims, aud: AUDIENCE };
    const input = `${this.#signing.header}.${b64json(payload)}`;
    return `${input}.${createHmac('sha256', this.#signing.key).update(input).digest('base64url')}`;
  }

  /**
   * Checks the signature with the key the header names and returns the claims. Expiry is the
   * caller's to check: a token that started a call stays good for that call after `exp`.
   * Throws C2CError `unauthorized` for anything not signed by a configured key.
   */
  async verify(token: string): Promise<SessionClaims> {
    const parts = typeof token === 'string' ? token.split('.') : [];
    if (parts.length !== 3 || parts.some((p) => p.length === 0 || p.length > MAX_PART || !B64URL.test(p))) {
      throw new C2CError(ErrorCode.Unauthorized, 'The session token is malformed.');
    }
    const [head, body, signature] = parts as [string, string, string];
    const header = Header.safeParse(parseJson(head));
    if (!header.success) throw new C2CError(ErrorCode.Unauthorized, 'The session token is not valid.');
    const key = this.#keys.get(header.data.kid);
    if (!key) throw new C2CError(ErrorCode.Unauthorized, 'The session token was signed by a key this endpoint does not accept.');
    const expected = createHmac('sha256', key).update(`${head}.${body}`).digest();
    const given = Buffer.from(signature, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new C2CError(ErrorCode.Unauthorized, 'The session token is not valid.');
    }
    const claims = Claims.safeParse(parseJson(body));
    if (!claims.success) throw new C2CError(ErrorCode.Unauthorized, 'The session token is not valid.');
    return claims.data;
  }
}

export function newId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}
