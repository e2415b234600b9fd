// Intl formatting of durations and waits, and the visitor's sentence for a failure.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDuration } from '../../../src/i18n/index.ts';
import { clockDuration, localDuration } from '../../../src/i18n/runtime.ts';
import { describeError, EN_ERRORS, formatWait } from '../../../src/i18n/errors.ts';
import ZH_CN from '../../../src/i18n/zh-CN.ts';
import type { MessageKey, Translate } from '../../../src/i18n/messages.ts';

const DURATIONS: Array<[number, string]> = [
  [0, '0:00'],
  [999, '0:00'],
  [5_000, '0:05'],
  [75_000, '1:15'],
  [600_000, '10:00'],
  [3_599_000, '59:59'],
  [3_600_000, '1:00:00'],
  [3_725_000, '1:02:05'],
  [-5_000, '0:00'],
];

describe('durations', () => {
  for (const [ms, expected] of DURATIONS) {
    it(`should write ${ms} ms as ${expected} in English and Chinese`, () => {
      assert.equal(formatDuration(ms), expected);
      assert.equal(localDuration(ms, 'en'), expected);
      assert.equal(localDuration(ms, 'zh-CN'), expected);
      const s = Math.max(0, Math.floor(ms / 1000));
      assert.equal(clockDuration(Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60, 'zh-CN'), expected);
    });
  }

  it('should write the locale\'s own digits', () => {
    assert.equal(clockDuration(1, 2, 5, 'ar-EG'), '١:٠٢:٠٥');
    assert.equal(localDuration(75_000, 'ar-EG'), '١:١٥');
  });
});

describe('waits', () => {
  it('should say seconds under two minutes and minutes after, rounded up', () => {
    assert.equal(formatWait(40, 'en'), '40 seconds');
    assert.equal(formatWait(1, 'en'), '1 second');
    assert.equal(formatWait(0.2, 'en'), '1 second');
    assert.equal(formatWait(119, 'en'), '119 seconds');
    assert.equal(formatWait(120, 'en'), '2 minutes');
    assert.equal(formatWait(600, 'en'), '10 minutes');
    assert.equal(formatWait(601, 'en'), '11 minutes');
    assert.equal(formatWait(40, 'zh-CN'), '40秒钟');
    assert.equal(formatWait(600, 'zh-CN'), '10分钟');
  });
});

describe('describeError()', () => {
  const catalogs: Record<string, Record<string, string>> = { en: EN_ERRORS, zh: ZH_CN };
  const translator = (lang: string): [Translate, (key: MessageKey) => boolean] => {
    const catalog = catalogs[lang]!;
    const t: Translate = (key, params) => (catalog[key] ?? key).replace(/\{(\w+)\}/g, (all, name: string) => `${params?.[name] ?? all}`);
    return [t, (key) => key in catalog];
  };

  it('should give the sentence of a known code, not the endpoint\'s message', () => {
    const [t, has] = translator('zh');
    assert.equal(describeError({ code: 'queue-timeout', message: 'Huawei: timeout' }, t, has, 'zh-CN'), '等待时间过长，暂时无人接听，请稍后再试。');
    const [en, enHas] = translator('en');
    assert.equal(describeError({ code: 'queue-timeout', message: 'Huawei: timeout' }, en, enHas, 'en'), EN_ERRORS['error.queue-timeout']);
  });

  it('should give the endpoint\'s message for an unknown code', () => {
    const [t, has] = translator('zh');
    assert.equal(describeError({ code: 'site-closed', message: 'Closed for the holiday.' }, t, has, 'zh-CN'), 'Closed for the holiday.');
    assert.equal(describeError({ code: 'toString', message: 'odd' }, t, has, 'zh-CN'), 'odd');
  });

  it('should say how long to wait when rate-limited, and a plain sentence without a wait', () => {
    const [en, enHas] = translator('en');
    assert.equal(describeError({ code: 'rate-limited', message: 'x', retryAfter: 40 }, en, enHas, 'en'), 'Too many calls. Try again in 40 seconds.');
    assert.equal(describeError({ code: 'rate-limited', message: 'x' }, en, enHas, 'en'), 'Too many calls. Please try again later.');
    const [zh, zhHas] = translator('zh');
    assert.equal(describeError({ code: 'rate-limited', message: 'x', retryAfter: 600 }, zh, zhHas, 'zh-CN'), '呼叫次数过多，请在10分钟后重试。');
  });
});
