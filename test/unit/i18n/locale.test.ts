// Which catalog a requested language gets, languages a page registers, and the fallbacks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgumentError } from '../../../src/core/errors.ts';
import { registerMessages } from '../../../src/i18n/index.ts';
import { matchLocale, resolve } from '../../../src/i18n/runtime.ts';

describe('matchLocale()', () => {
  const table: Array<[string, string | undefined]> = [
    ['zh', 'zh-cn'],
    ['zh-CN', 'zh-cn'],
    ['zh-cn', 'zh-cn'],
    ['zh-Hans', 'zh-cn'],
    ['zh-Hans-CN', 'zh-cn'],
    ['zh_CN', 'zh-cn'],
    ['zh-SG', 'zh-cn'],
    ['zh-TW', undefined],
    ['zh-Hant', undefined],
    ['zh-HK', undefined],
    ['en', 'en'],
    ['en-GB', 'en'],
    ['en_US', 'en'],
    ['de-DE', undefined],
    ['', undefined],
    ['not a tag', undefined],
    ['<script>', undefined],
  ];
  for (const [requested, expected] of table) {
    it(`should read ${JSON.stringify(requested)} as ${expected ?? 'no catalog'}`, () => {
      assert.equal(matchLocale(requested), expected);
    });
  }
});

describe('resolve()', () => {
  it('should take the first of the browser languages that has a catalog', () => {
    const resolved = resolve(['de-DE', 'zh-Hans-CN', 'en']);
    assert.equal(resolved.lang, 'zh-Hans-CN');
  });

  it('should fall back to English when no language fits', () => {
    assert.deepEqual(resolve(['de', 'ja-JP']), { lang: 'en', catalog: undefined, wait: undefined });
    assert.deepEqual(resolve([]), { lang: 'en', catalog: undefined, wait: undefined });
  });

  it('should fetch the Chinese catalog once, then give it', async () => {
    const first = resolve(['zh_CN']);
    assert.equal(first.lang, 'zh-CN');
    assert.equal(first.catalog, undefined);
    assert.ok(first.wait, 'no fetch under way');
    assert.equal(resolve(['zh']).wait, first.wait, 'fetched twice');
    await first.wait;
    const after = resolve(['zh-CN']);
    assert.equal(after.wait, undefined);
    assert.equal(after.catalog?.call, '联系我们');
  });

  it('should give a registered language, merged registration by registration, to its regional variants', async () => {
    registerMessages('fr', { call: 'Appelez-nous' });
    registerMessages('fr', { idle: 'Prêt' });
    const resolved = resolve(['fr-CA']);
    assert.equal(resolved.lang, 'fr-CA');
    assert.deepEqual(resolved.catalog, { call: 'Appelez-nous', idle: 'Prêt' });
    registerMessages('fr', () => Promise.resolve({ default: { idle: 'Prêt à appeler', mute: 'Couper le micro' } }));
    const loading = resolve(['fr']);
    assert.ok(loading.wait);
    await loading.wait;
    assert.deepEqual(resolve(['fr']).catalog, { call: 'Appelez-nous', idle: 'Prêt à appeler', mute: 'Couper le micro' });
  });

  it('should put a page\'s Chinese strings over the built-in ones', async () => {
    registerMessages('zh-CN', { call: '立即通话' });
    const resolved = resolve(['zh-CN']);
    await resolved.wait;
    const catalog = resolve(['zh-CN']).catalog;
    assert.equal(catalog?.call, '立即通话');
    assert.equal(catalog?.hangUp, '挂断');
  });

  it('should give English for a language whose catalog cannot be fetched', async () => {
    registerMessages('it', () => Promise.reject(new Error('offline')));
    const first = resolve(['it']);
    await first.wait;
    const after = resolve(['it']);
    assert.equal(after.wait, undefined);
    assert.equal(after.catalog, undefined);
  });

  it('should refuse what is not a language tag or a catalog', () => {
    assert.throws(() => registerMessages('not a tag', {}), InvalidArgumentError);
    assert.throws(() => registerMessages('', {}), InvalidArgumentError);
    assert.throws(() => registerMessages('de', null as never), InvalidArgumentError);
    assert.throws(() => registerMessages('de', 'Hallo' as never), InvalidArgumentError);
  });
});
