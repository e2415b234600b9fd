// custom-elements.json is generated from the elements' JSDoc and committed: fail when stale.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

test('custom-elements.json matches the elements (run `npm run manifest` to refresh)', () => {
  // The analyzer takes --outdir relative to the working directory.
  mkdirSync('.cache', { recursive: true });
  const dir = mkdtempSync(join('.cache', 'cem-'));
  try {
    execFileSync('npx', ['cem', 'analyze', '--config', 'custom-elements-manifest.config.mjs', '--outdir', dir, '--quiet'], { stdio: 'pipe' });
    const fresh = JSON.parse(readFileSync(join(dir, 'custom-elements.json'), 'utf8'));
    const committed = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
    assert.deepEqual(committed, fresh);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('custom-elements.json describes both elements with their attributes and events', () => {
  const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
  const declarations = manifest.modules.flatMap((m: { declarations?: unknown[] }) => m.declarations ?? []) as Array<{
    tagName?: string;
    attributes?: Array<{ name: string }>;
    events?: Array<{ name: string }>;
    cssParts?: Array<{ name: string }>;
  }>;
  const c2c = declarations.find((d) => d.tagName === 'click-to-call');
  const status = declarations.find((d) => d.tagName === 'call-status');
  assert.ok(c2c && status, 'both tags are declared');
  const attributes = c2c.attributes!.map((a) => a.name);
  for (const name of ['endpoint', 'destination', 'mode', 'locale', 'disabled', 'state']) assert.ok(attributes.includes(name), name);
  const events = c2c.events!.map((e) => e.name);
  for (const name of ['c2c-call-start', 'c2c-state-change', 'c2c-connected', 'c2c-ended', 'c2c-error']) assert.ok(events.includes(name), name);
  assert.ok(status.attributes!.some((a) => a.name === 'for'));
  assert.ok(c2c.cssParts!.some((p) => p.name === 'call-button'));
});
