import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryStore } from '../../../src/server/store.ts';

describe('MemoryStore', () => {
  it('over maxEntries the oldest writes go first; a rewrite makes an entry young again', async () => {
    const store = new MemoryStore<number>({ maxEntries: 3, now: () => 0 });
    for (const key of ['a', 'b', 'c']) await store.set(key, 1, 1_000);
    await store.set('a', 2, 1_000); // rewritten: now the youngest
    await store.set('d', 1, 1_000);
    assert.equal(store.size, 3);
    assert.equal(await store.get('b'), undefined, 'b was the oldest');
    assert.equal(await store.get('a'), 2);
    assert.equal(await store.get('d'), 1);
  });

  it('expired entries are gone on read and swept within 256 writes', async () => {
    let now = 0;
    const store = new MemoryStore<number>({ now: () => now });
    for (let i = 0; i < 100; i++) await store.set(`old${i}`, i, 10);
    now = 20;
    assert.equal(await store.get('old5'), undefined);
    for (let i = 0; i < 256; i++) await store.set(`new${i}`, i, 1_000);
    assert.equal(store.size, 256, 'the expired entries were swept');
  });

  it('a write at the cap does not scan the whole store: only the sweep every 256 writes does', async () => {
    const store = new MemoryStore<number>({ maxEntries: 50_000, now: () => 0 });
    for (let i = 0; i < 50_000; i++) await store.set(`k${i}`, i, 1_000);
    // Counted, not timed: entries visited by the store's own iteration while over the cap.
    let visited = 0;
    const WRITES = 1_000;
    const entries = (store as unknown as { size: number }).size;
    assert.equal(entries, 50_000);
    const originalKeys = Map.prototype.keys;
    const originalEntries = Map.prototype.entries;
    const originalIterator = Map.prototype[Symbol.iterator];
    Map.prototype.keys = function (this: Map<unknown, unknown>) {
      const it = originalKeys.call(this);
      return { next: () => (visited++, it.next()), [Symbol.iterator]() { return this; } } as unknown as MapIterator<unknown>;
    };
    Map.prototype.entries = function (this: Map<unknown, unknown>) {
      const it = originalEntries.call(this);
      return { next: () => (visited++, it.next()), [Symbol.iterator]() { return this; } } as unknown as MapIterator<[unknown, unknown]>;
    };
    Map.prototype[Symbol.iterator] = Map.prototype.entries;
    try {
      for (let i = 0; i < WRITES; i++) await store.set(`n${i}`, i, 1_000);
    } finally {
      Map.prototype.keys = originalKeys;
      Map.prototype.entries = originalEntries;
      Map.prototype[Symbol.iterator] = originalIterator;
    }
    assert.equal(store.size, 50_000);
    // One sweep (the whole store) per 256 writes, and a step or two per write to drop the oldest;
    // a sweep on every write would visit WRITES x 50,000 entries.
    const bound = (Math.ceil(WRITES / 256) + 1) * 50_001 + WRITES * 4;
    assert.ok(visited <= bound, `visited ${visited} entries for ${WRITES} writes (bound ${bound})`);
  });
});
