// The catalogs: English (its parts) defines every key, Simplified Chinese has exactly those
// keys with the same placeholders, and every error code and call state has a message.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CALL_STATES } from '../../../src/core/states.ts';
import { ERROR_CODES } from '../../../src/protocol/errors.ts';
import { EN } from '../../../src/i18n/en.ts';
import { EN_CALLBACK } from '../../../src/i18n/en-callback.ts';
import { EN_ERRORS } from '../../../src/i18n/errors.ts';
import { EN_READINESS } from '../../../src/i18n/en-readiness.ts';
import { EN_SETTINGS } from '../../../src/i18n/en-settings.ts';
import ZH_CN from '../../../src/i18n/zh-CN.ts';

const PARTS = { EN, EN_ERRORS, EN_SETTINGS, EN_READINESS, EN_CALLBACK };
const english: Record<string, string> = Object.assign({}, ...Object.values(PARTS));
const chinese: Record<string, string> = ZH_CN;
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('message catalogs', () => {
  it('should not define a key in two English parts', () => {
    const seen = new Map<string, string>();
    for (const [part, messages] of Object.entries(PARTS)) {
      for (const key of Object.keys(messages)) {
        assert.ok(!seen.has(key), `${key} is in ${seen.get(key)} and ${part}`);
        seen.set(key, part);
      }
    }
  });

  it('should have exactly the English keys in zh-CN', () => {
    assert.deepEqual(Object.keys(chinese).sort(), Object.keys(english).sort());
  });

  it('should have the same placeholders in zh-CN as in English, key by key', () => {
    for (const key of Object.keys(english)) {
      assert.deepEqual(placeholders(chinese[key] ?? ''), placeholders(english[key]!), key);
    }
  });

  it('should have no empty message, and no English words left in zh-CN', () => {
    for (const [key, text] of Object.entries(english)) assert.ok(text.trim().length > 0, key);
    for (const [key, text] of Object.entries(chinese)) {
      // Besides placeholders, product names and HTTP: Chinese text, or punctuation only ("{name}（{dial}）").
      const rest = text.replace(/\{\w+\}|Chrome|Edge|Firefox|Safari|https|HTTP/g, '');
      assert.ok(/[\u4e00-\u9fff]/.test(rest) ? !/[A-Za-z]{2,}/.test(rest) : !/[A-Za-z]/.test(rest), `${key}: ${text}`);
    }
  });

  it('should have a sentence for every error code and a label for every state', () => {
    for (const code of ERROR_CODES) assert.ok(english[`error.${code}`], `error.${code}`);
    for (const state of CALL_STATES) assert.ok(english[state], state);
  });

  it('should use only known placeholders in English', () => {
    const known = new Set(['time', 'position', 'quality', 'reasons', 'wait', 'n', 'status', 'name', 'dial', 'reason']);
    for (const [key, text] of Object.entries(english)) {
      for (const name of placeholders(text)) assert.ok(known.has(name!), `${key}: {${name}}`);
    }
  });
});
