/**
 * Session tokens: a JWS (HS256, `kid` in the header) that the endpoint hands the browser at
 * /session. It names one session record and binds it to the page's origin and destination;
 * it starts one call within its short life, and then authorizes that call's events and
 * hang-up for as long as the call lives (the call record, not the token, decides that).
 *
 * Keys rotate without dropping live calls: the first configured key signs, every configured
 * key verifies, so a new key goes first and the old one stays listed until the calls it
 * signed for are over.
 */
import { randomBytes } from 'node:crypto';
import { compactVerify, CompactSign, decodeProtectedHeader } from 'jose';
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

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class TokenSigner {
  readonly #keys: Map<string, Uint8Array>;
  readonly #signing: { kid: string; key: Uint8Array };
  /** True when no key was configured and a random one was made for this process. */
  readonly ephemeral: boolean;

  constructor(keys: readonly SigningKey[]) {
    this.ephemeral = keys.length === 0;
    const list = this.ephemeral ? [{ kid: `ephemeral-${randomBytes(4).toString('hex')}`, secret: randomBytes(32).toString('base64url') }] : keys;
    this.#keys = new Map(list.map((k) => [k.kid, encoder.encode(k.secret)]));
    const first = list[0]!;
    this.#signing = { kid: first.kid, key: this.#keys.get(first.kid)! };
  }

  /** The key id new tokens are signed with. */
  get kid(): string {
    return this.#signing.kid;
  }

  async sign(claims: Omit<SessionClaims, 'aud'>): Promise<string> {
    const payload: SessionClaims = { ...claims, aud: AUDIENCE };
    return new CompactSign(encoder.encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: this.#signing.kid })
      .sign(this.#signing.key);
  }

  /**
   * Checks the signature with the key the header names and returns the claims. Expiry is the
   * caller's to check: a token that started a call stays good for that call after `exp`.
   * Throws C2CError `unauthorized` for anything not signed by a configured key.
   */
  async verify(token: string): Promise<SessionClaims> {
    let kid: unknown;
    try {
      ({ kid } = decodeProtectedHeader(token));
    } catch {
      throw new C2CError(ErrorCode.Unauthorized, 'The session token is malformed.');
    }
    const key = typeof kid === 'string' ? this.#keys.get(kid) : undefined;
    if (!key) throw new C2CError(ErrorCode.Unauthorized, 'The session token was signed by a key this endpoint does not accept.');
    let payload: Uint8Array;
    try {
      ({ payload } = await compactVerify(token, key, { algorithms: ['HS256'] }));
    } catch {
      throw new C2CError(ErrorCode.Unauthorized, 'The session token is not valid.');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(decoder.decode(payload));
    } catch {
      parsed = null;
    }
    const claims = Claims.safeParse(parsed);
    if (!claims.success) throw new C2CError(ErrorCode.Unauthorized, 'The session token is not valid.');
    return claims.data;
  }
}

export function newId(bytes = 16): string {
  return randomBytes(bytes).toString('base64url');
}
