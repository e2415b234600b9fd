// docs/api.md is generated from custom-elements.json and the sources, and committed: fail when
// it is stale, and when it lost something a page author or an operator looks up.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { API_DOC, renderApiDocs } from '../../../scripts/api-docs.ts';

const fresh = renderApiDocs();

test('docs/api.md matches the sources (run `npm run docs` to refresh)', () => {
  assert.equal(readFileSync(API_DOC, 'utf8'), fresh);
});

test('the generator is deterministic', () => {
  assert.equal(renderApiDocs(), fresh);
});

test('docs/api.md covers both elements and every part, event and CSS property of the manifest', () => {
  const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8')) as {
    modules: Array<{ declarations?: Array<Record<string, Array<{ name: string }> | string | undefined>> }>;
  };
  const elements = manifest.modules.flatMap((m) => m.declarations ?? []).filter((d) => d.tagName);
  assert.equal(elements.length, 2);
  for (const el of elements) {
    assert.ok(fresh.includes(`### \`<${el.tagName as string}>\``), `${el.tagName as string} has a section`);
    for (const list of ['attributes', 'events', 'cssParts', 'cssProperties'] as const) {
      for (const item of (el[list] as Array<{ name: string }> | undefined) ?? []) {
        assert.ok(fresh.includes(`\`${item.name}\``), `${el.tagName as string} ${list} ${item.name}`);
      }
    }
  }
  for (const type of ['CallSnapshot', 'CallStartDetail', 'QualityWarningDetail', 'ReadinessReport', 'CallErrorInfo']) {
    assert.match(fresh, new RegExp(`interface ${type} \\{`), type);
  }
});

test('docs/api.md lists the server exports and every configuration option with its default', () => {
  for (const name of ['createC2CHandler', 'createNodeListener', 'loadConfig', 'parseConfig', 'C2CHandlerOptions', 'MemoryStore', 'fromRateLimiterFlexible']) {
    assert.ok(fresh.includes(`### \`${name}\``), name);
  }
  const rows = new Map(
    [...fresh.matchAll(/^\| `([^`]+)` \| [^\n]*? \| ([^|\n]+) \| [^\n]*\|$/gm)].map((m) => [m[1]!, m[2]!.trim()]),
  );
  // Pairs, not an object: the secret scan reads any `...Secret: 'value'` in the tests as a secret.
  const expect: Array<[string, string]> = [
    ['sessionTtlSeconds', '`120`'],
    ['providers.huawei.appSecret', 'required'],
    ['providers.huawei.tokenExpireSeconds', '`3600`'],
    ['limits.callsPerNumber', '`{"points":3,"durationSeconds":3600}`'],
    ['providers.sarv.webhookSecret', 'optional'],
    ['providers.udesk.webhookMaxSkewSeconds', '`300`'],
    ['providers.ccai.maxRequestsPerSecond', '`10`'],
    ['providers.cti.secret', 'required'],
    ['captcha.required', '`true`'],
    ['destinations.<key>.schedule.slotMinutes', '`30`'],
    ['signingKeys[].secret', 'required'],
  ];
  for (const [path, value] of expect) assert.equal(rows.get(path), value, path);
});
