import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inspect } from 'node:util';
import {
  ShapeError,
  array,
  boolean,
  literal,
  number,
  object,
  oneOf,
  optional,
  string,
  tagged,
  union,
  type Check,
} from '../../../src/protocol/check.ts';

function rejects(check: Check<unknown>, value: unknown, path: Array<string | number> = []): void {
  const result = check.safeParse(value);
  assert.equal(result.success, false, `accepted ${inspect(value)}`);
  if (!result.success) {
    assert.equal(result.error.issues.length, 1);
    assert.deepEqual(result.error.issues[0]?.path, path);
    assert.match(result.error.issues[0]?.message ?? '', /^Expected /);
  }
  assert.throws(() => check.parse(value), (error: unknown) => error instanceof ShapeError && (assert.deepEqual(error.path, path), true));
}

function accepts<T>(check: Check<T>, value: unknown, expected: T = value as T): void {
  const result = check.safeParse(value);
  assert.ok(result.success, `rejected ${inspect(value)}`);
  assert.deepEqual(result.data, expected);
  assert.deepEqual(check.parse(value), expected);
}

describe('check: the protocol validator', () => {
  describe('string()', () => {
    it('accepts strings of any length by default and nothing else', () => {
      accepts(string(), '');
      accepts(string(), 'x'.repeat(10_000));
      for (const bad of [1, null, undefined, true, {}, [], new String('boxed')]) rejects(string(), bad);
    });

    it('applies min and max inclusively', () => {
      const s = string({ min: 2, max: 4 });
      rejects(s, 'a');
      accepts(s, 'ab');
      accepts(s, 'abcd');
      rejects(s, 'abcde');
    });

    it('names the limits in its message', () => {
      const result = string({ min: 2, max: 4 }).safeParse('a');
      assert.equal(result.success, false);
      if (!result.success) assert.match(result.error.message, /^\$: expected a string of 2 to 4 characters$/);
    });
  });

  describe('number()', () => {
    it('accepts finite numbers only', () => {
      for (const good of [0, -1, 1.5, Number.MAX_SAFE_INTEGER, -0]) accepts(number(), good);
      for (const bad of [Number.NaN, Infinity, -Infinity, '1', null, undefined, 1n]) rejects(number(), bad);
    });
  });

  describe('boolean(), literal(), oneOf()', () => {
    it('boolean takes true and false only', () => {
      accepts(boolean(), true);
      accepts(boolean(), false);
      for (const bad of [0, 1, 'true', null, undefined]) rejects(boolean(), bad);
    });

    it('literal takes its one value', () => {
      accepts(literal('queued'), 'queued');
      for (const bad of ['Queued', 'queued ', '', null]) rejects(literal('queued'), bad);
    });

    it('oneOf takes its listed strings', () => {
      const mode = oneOf(['webrtc', 'callback'] as const);
      accepts(mode, 'webrtc');
      accepts(mode, 'callback');
      for (const bad of ['WEBRTC', 'sip', '', 0, null]) rejects(mode, bad);
    });
  });

  describe('array()', () => {
    it('checks every item and reports the index of the first bad one', () => {
      const a = array(number());
      accepts(a, []);
      accepts(a, [1, 2, 3]);
      rejects(a, [1, 'two', 'three'], [1]);
      for (const bad of [{ length: 0 }, 'abc', null, undefined]) rejects(a, bad);
    });

    it('applies min and max on the length', () => {
      const a = array(string(), { min: 1, max: 2 });
      rejects(a, []);
      accepts(a, ['a']);
      accepts(a, ['a', 'b']);
      rejects(a, ['a', 'b', 'c']);
    });

    it('returns a new array of parsed items (objects stripped)', () => {
      const input = [{ a: 1, extra: true }];
      const out = array(object({ a: number() })).parse(input);
      assert.notEqual(out, input);
      assert.deepEqual(out, [{ a: 1 }]);
    });
  });

  describe('optional()', () => {
    it('lets undefined through but still checks a present value; null is a value', () => {
      const o = optional(number());
      accepts(o, undefined);
      accepts(o, 3);
      rejects(o, 'x');
      rejects(o, null);
    });
  });

  describe('object()', () => {
    const shape = object({
      name: string({ min: 1 }),
      age: optional(number()),
      inner: object({ flag: boolean(), list: array(object({ id: string({ min: 1 }) })) }),
    });
    const good = { name: 'ada', age: 36, inner: { flag: true, list: [{ id: 'a' }] } };

    it('accepts a matching object and keeps only the keys of its shape, at every depth', () => {
      accepts(shape, { ...good, secret: 'x', inner: { ...good.inner, more: 1, list: [{ id: 'a', also: 2 }] } }, good);
    });

    it('leaves out a missing optional key instead of writing undefined', () => {
      const out = shape.parse({ name: 'ada', inner: { flag: false, list: [] } });
      assert.equal(Object.hasOwn(out, 'age'), false);
    });

    it('does not return the input object', () => {
      const input = { ...good };
      assert.notEqual(shape.parse(input), input);
    });

    it('reports the path of the first bad field', () => {
      rejects(shape, { ...good, name: '' }, ['name']);
      rejects(shape, { ...good, age: 'old' }, ['age']);
      rejects(shape, { ...good, inner: { flag: 'yes', list: 7 } }, ['inner', 'flag']);
      rejects(shape, { ...good, inner: { flag: true, list: [{ id: 'a' }, { id: '' }] } }, ['inner', 'list', 1, 'id']);
      rejects(shape, { ...good, inner: null }, ['inner']);
      rejects(shape, { age: 1 }, ['name']);
    });

    it('puts the path in the ShapeError message', () => {
      assert.throws(() => shape.parse({ ...good, inner: { flag: true, list: [{}] } }), {
        name: 'ShapeError',
        message: '$.inner.list.0.id: expected a string of 1 to Infinity characters',
      });
    });

    it('rejects non-objects: null, arrays, strings', () => {
      for (const bad of [null, undefined, [], 'x', 1]) rejects(shape, bad);
    });

    it('exposes its shape', () => {
      assert.deepEqual(Object.keys(shape.shape), ['name', 'age', 'inner']);
    });
  });

  describe('union()', () => {
    it('takes the first member that accepts, and fails at the union\'s own path', () => {
      const u = union<string | string[]>(string(), array(string()));
      accepts(u, 'a');
      accepts(u, ['a', 'b']);
      rejects(u, 1);
      rejects(object({ urls: u }), { urls: [1] }, ['urls']);
    });
  });

  describe('tagged()', () => {
    type Shape = { type: 'a'; n: number } | { type: 'b'; s: string };
    const t = tagged<'type', Shape>('type', {
      a: object({ type: literal('a'), n: number() }),
      b: object({ type: literal('b'), s: string() }),
    } as Record<string, Check<Shape>>);

    it('picks the member by its type', () => {
      accepts(t, { type: 'a', n: 1 });
      accepts(t, { type: 'b', s: 'x', extra: 1 }, { type: 'b', s: 'x' });
    });

    it('checks the picked member only, with its field paths', () => {
      rejects(t, { type: 'a', s: 'x' }, ['n']);
      rejects(t, { type: 'b', n: 1 }, ['s']);
    });

    it('rejects an unknown, missing or non-string type at the path of the tag', () => {
      for (const bad of [{ type: 'c' }, {}, { type: 1 }, { type: null }, null, 'a']) rejects(t, bad, ['type']);
    });

    it('does not take inherited names for members', () => {
      for (const type of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) rejects(t, { type }, ['type']);
    });

    it('reports nested paths through arrays', () => {
      rejects(object({ events: array(t) }), { events: [{ type: 'a', n: 1 }, { type: 'zzz' }] }, ['events', 1, 'type']);
    });
  });
});
