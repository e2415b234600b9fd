/**
 * Rate limits of the token endpoint, behind one small interface. The default counts in this
 * process with rate-limiter-flexible's memory limiter; a site with several instances passes a
 * factory that wraps `RateLimiterRedis` (or any other rate-limiter-flexible store) instead:
 *
 *   createC2CHandler(config, {
 *     limiters: (name, { points, durationSeconds }) =>
 *       fromRateLimiterFlexible(new RateLimiterRedis({ storeClient: redis, keyPrefix: `c2c:${name}`, points, duration: durationSeconds })),
 *   });
 */
import { isIP } from 'node:net';
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface RateLimit {
  points: number;
  durationSeconds: number;
}

export interface Limiter {
  /** Counts one use of `key`: resolves to 0 when allowed, or the milliseconds until it would be. */
  take(key: string): Promise<number>;
}

/** Makes the limiter for one rule (`name` is stable, e.g. 'callsPerIp': a key prefix). */
export type LimiterFactory = (name: string, limit: RateLimit) => Limiter;

/** Wraps any rate-limiter-flexible limiter (memory, Redis, ...). */
export function fromRateLimiterFlexible(limiter: RateLimiterAbstract): Limiter {
  return {
    async take(key) {
      try {
        await limiter.consume(key);
        return 0;
      } catch (refusal) {
        // rate-limiter-flexible rejects with a RateLimiterRes when over the limit, an Error when the store failed.
        if (refusal instanceof RateLimiterRes) return Math.max(1, refusal.msBeforeNext);
        throw refusal;
      }
    },
  };
}

export const memoryLimiters: LimiterFactory = (name, { points, durationSeconds }) =>
  fromRateLimiterFlexible(new RateLimiterMemory({ keyPrefix: name, points, duration: durationSeconds }));

/**
 * The visitor's address. `X-Forwarded-For` is read only when `trustedHops` proxies stand in
 * front of the endpoint: each appends the address it saw, so the client is the entry that
 * many places left of the connection's own address; entries further left are the client's to
 * forge. Returns null when the address is unknown (a runtime that gives none).
 */
export function clientAddress(forwardedFor: string | undefined, remote: string | undefined, trustedHops: number): string | null {
  const direct = remote && isIP(stripMapped(remote)) ? stripMapped(remote) : null;
  if (trustedHops <= 0 || !forwardedFor) return direct;
  const chain = [...forwardedFor.split(',').map((part) => stripMapped(part.trim())), direct];
  const picked = chain[Math.max(0, chain.length - 1 - trustedHops)];
  return picked && isIP(picked) ? picked : direct;
}

function stripMapped(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

/**
 * The key an address is counted under: IPv4 as it is, IPv6 by its /64, since one host is
 * usually handed a whole /64 and could otherwise take a fresh address for every request.
 */
export function addressKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head = '', tail = ''] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = address.includes('::') && tail ? tail.split(':') : [];
  const groups = address.includes('::') ? [...left, ...Array(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16)).join(':')}::/64`;
}
