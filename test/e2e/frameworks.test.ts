/**
 * The framework example pages (demo/frameworks/*, built into dist/examples/* by
 * scripts/build-examples.mjs) in Chromium against the sandbox: each page renders the call's
 * state from the typed events in the framework's own state, a real WebRTC call reaches
 * `connected` with the sandbox agent, and the framework's own button ends it through a ref.
 * Run after `npm run build`.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { launchChromium, waitFor, type ChromiumHandle } from '../support/rig.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const FRAMEWORKS = [
  { name: 'react', label: 'React' },
  { name: 'vue', label: 'Vue' },
  { name: 'svelte', label: 'Svelte' },
  { name: 'angular', label: 'Angular' },
] as const;

/** What the page's framework rendered from its own state. */
interface Rendered {
  state: string;
  callId: string;
  provider: string;
  changes: number;
}

const rendered = (page: Page): Promise<Rendered> =>
  // No helper function inside: tsx would name it with a `__name` call the page does not have.
  page
    .evaluate(() => ['fw-state', 'fw-call-id', 'fw-provider', 'fw-changes'].map((id) => document.getElementById(id)!.textContent!.trim()))
    .then(([state, callId, provider, changes]) => ({ state: state!, callId: callId!, provider: provider!, changes: Number(changes) }));

describe('framework example pages', () => {
  let chromium: ChromiumHandle;
  let sandbox: Sandbox;

  before(async () => {
    for (const { name } of FRAMEWORKS) {
      assert.ok(existsSync(`${root}dist/examples/${name}/index.html`), `dist/examples/${name} is missing: run \`npm run build\``);
    }
    [chromium, sandbox] = await Promise.all([launchChromium(), startSandbox({ port: 0, quiet: true, queueMs: 100 })]);
  });

  after(async () => {
    await sandbox?.close();
    await chromium?.close();
  });

  test('the demo index links every example', async () => {
    const html = await (await fetch(`${sandbox.url}/`)).text();
    for (const { name } of FRAMEWORKS) assert.ok(html.includes(`/dist/examples/${name}/index.html`), `no link to ${name}`);
  });

  for (const { name, label } of FRAMEWORKS) {
    test(`${label}: the page follows a WebRTC call in ${label} state and hangs up from a ${label} button`, async () => {
      const page = await chromium.browser.newPage();
      const problems: string[] = [];
      page.on('console', (message) => {
        if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
      });
      page.on('pageerror', (error) => problems.push(`pageerror: ${String(error)}`));
      try {
        const answer = await page.goto(`${sandbox.url}/dist/examples/${name}/index.html`);
        assert.equal(answer?.status(), 200);
        await page.waitForSelector('#fw-state');
        await page.waitForFunction(() => customElements.get('click-to-call') !== undefined);
        const call = page.locator('click-to-call#call');
        assert.deepEqual(await rendered(page), { state: 'idle', callId: '', provider: '', changes: 0 });
        // The framework set endpoint/destination on the element (as properties or attributes).
        assert.deepEqual(
          await call.evaluate((el: HTMLElement & { endpoint: string; destination: string }) => [el.endpoint, el.destination]),
          ['/c2c', 'sales'],
        );
        assert.equal(await page.locator('#fw-hangup').isDisabled(), true);
        // <call-status for="call"> outside the element follows it too.
        assert.equal(await page.locator('call-status').getAttribute('state'), 'idle');

        await call.locator('[part~="call-button"]').click();
        await waitFor(`${label} renders connected`, async () => (await rendered(page)).state === 'connected', {
          timeoutMs: 15_000,
          intervalMs: 50,
        });
        assert.equal(await call.getAttribute('state'), 'connected');
        assert.equal(await page.locator('call-status').getAttribute('state'), 'connected');
        // What the framework kept is the element's snapshot: same call, same vendor.
        const shown = await rendered(page);
        const snapshot = await call.evaluate((el: HTMLElement & { snapshot: { callId: string | null; provider: string | null } }) => ({
          callId: el.snapshot.callId,
          provider: el.snapshot.provider,
        }));
        assert.ok(snapshot.callId, 'the call has an id');
        assert.equal(shown.callId, snapshot.callId);
        assert.equal(shown.provider, snapshot.provider);
        assert.equal(shown.provider, 'huawei');
        // One render per c2c-state-change: authorizing, dialing, queued, ... connected.
        assert.ok(shown.changes >= 4, `only ${shown.changes} state changes reached ${label}`);

        await page.locator('#fw-hangup').click();
        await waitFor(`${label} renders ended`, async () => (await rendered(page)).state === 'ended', {
          timeoutMs: 10_000,
          intervalMs: 50,
        });
        assert.equal(await call.getAttribute('state'), 'ended');
        assert.equal(await page.locator('#fw-hangup').isDisabled(), true);
        await waitFor('agent call over', () => sandbox.agent.stats().activeCalls === 0, { timeoutMs: 5_000, intervalMs: 50 });
        assert.deepEqual(problems, []);
      } finally {
        await page.close();
      }
    });
  }
});
