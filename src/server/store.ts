/**
 * The endpoint's state behind small async interfaces. The defaults live in memory; a Redis
 * implementation can replace them so several instances share sessions and calls behind a load
 * balancer. Records are plain JSON values: read, change, write back.
 */
import type { CallEvent, CallMode } from '../protocol/index.ts';
import type { ProviderName } from './config.ts';

export interface SessionRecord {
  /** The session token's `jti`: the token itself is signed and never stored. */
  id: string;
  destination: string;
  provider: ProviderName;
  mode: CallMode;
  /** Epoch ms after which the token no longer starts a call. */
  expiresAt: number;
  /** Epoch ms until which the record is kept (longer than expiresAt while a call runs). */
  keepUntil: number;
  /** The call this session started; a session starts at most one call. */
  callId?: string;
  /** Provider-specific, e.g. Huawei's userId and ccmessaging-token. Never sent to the browser. */
  providerState: Record<string, unknown>;
}

export interface CallRecord {
  callId: string;
  /** The session that started it: that session's token follows the call. */
  sessionId: string;
  provider: ProviderName;
  status: 'active' | 'ended' | 'failed';
  /** A final event (ended, failed) was delivered or the visitor hung up. */
  final: boolean;
  hungUp: boolean;
  /** Ids of events already delivered, so a repeated vendor event is not delivered twice. */
  seenEventIds: string[];
  /** Last delivered events, to answer a resumed poll (`after=`) without asking the vendor. */
  recentEvents: CallEvent[];
  /** Counter for event ids when the vendor gives none. */
  seq: number;
  createdAt: number;
  keepUntil: number;
  /** Callback calls: the vendor's id for the call (the key its webhooks carry). */
  vendorCallId?: string;
  /** Callback calls: how far the call has come (events that would go back are late and dropped). */
  rank?: number;
}

export interface KeyValueStore<T> {
  get(key: string): Promise<T | undefined>;
  /** Stores the value until `keepUntil` (epoch ms). */
  set(key: string, value: T, keepUntil: number): Promise<void>;
  delete(key: string): Promise<void>;
}

/**
 * Single use: `claim` succeeds for one caller only until `keepUntil` or `release` (Redis:
 * `SET key 1 NX PXAT keepUntil` and `DEL key`). A session token claims its start with it.
 */
export interface ClaimStore {
  claim(key: string, keepUntil: number): Promise<boolean>;
  release(key: string): Promise<void>;
}

export type SessionStore = KeyValueStore<SessionRecord>;
export type CallStore = KeyValueStore<CallRecord>;

export interface MemoryStoreOptions {
  now?: () => number;
  /** Hard cap; the oldest entries go first when it is reached. */
  maxEntries?: number;
}

/**
 * Map-backed store with lazy expiry: an expired entry is dropped when read, and writes sweep
 * now and then. No timer, so it never keeps the process alive.
 */
export class MemoryStore<T> implements KeyValueStore<T>, ClaimStore {
  readonly #entries = new Map<string, { value: T; keepUntil: number }>();
  readonly #now: () => number;
  readonly #maxEntries: number;
  #writesSinceSweep = 0;

  constructor(options: MemoryStoreOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#maxEntries = options.maxEntries ?? 100_000;
  }

  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<T | undefined> {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.keepUntil <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  async set(key: string, value: T, keepUntil: number): Promise<void> {
    this.#entries.delete(key); // re-insert so Map order stays oldest-first
    this.#entries.set(key, { value, keepUntil });
    // Expired entries are swept every 256 writes. Over the cap, only the oldest are dropped: a
    // full sweep on every write at the cap made each write scan the whole store (100,000 entries).
    if (++this.#writesSinceSweep >= 256) this.sweep();
    else if (this.#entries.size > this.#maxEntries) this.#dropOldest();
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  /** Check and set in one synchronous step, so two requests cannot both claim. */
  async claim(key: string, keepUntil: number): Promise<boolean> {
    const entry = this.#entries.get(key);
    if (entry && entry.keepUntil > this.#now()) return false;
    this.#entries.set(key, { value: true as T, keepUntil });
    return true;
  }

  async release(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  /** Drops expired entries, then the oldest ones beyond maxEntries. */
  sweep(): void {
    this.#writesSinceSweep = 0;
    const now = this.#now();
    for (const [key, entry] of this.#entries) if (entry.keepUntil <= now) this.#entries.delete(key);
    this.#dropOldest();
  }

  #dropOldest(): void {
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) break;
      this.#entries.delete(key);
    }
  }
}

export interface Stores {
  sessions: SessionStore;
  calls: CallStore;
  /** `<provider>:<vendor call id>` -> our call id, for webhooks. */
  vendorCalls: KeyValueStore<string>;
  /** `<destination>|<slot>` -> calls booked at that time. */
  bookings: KeyValueStore<number>;
  /** Single-use marks (a session token's call start). */
  claims: ClaimStore;
}

export function createMemoryStores(options: MemoryStoreOptions = {}): Stores {
  return {
    sessions: new MemoryStore<SessionRecord>(options),
    calls: new MemoryStore<CallRecord>(options),
    vendorCalls: new MemoryStore<string>(options),
    bookings: new MemoryStore<number>(options),
    claims: new MemoryStore<true>(options),
  };
}
