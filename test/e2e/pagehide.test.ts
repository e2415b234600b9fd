/**
 * Leaving the page mid-call drops the call at the vendor: the widget sends the hang-up as a
 * keep-alive request on `pagehide`, which outlives the page. Against the sandbox (real endpoint,
 * Huawei simulator, JsSIP + wrtc agent) on its demo page. Run after `npm run build`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { launchChromium, waitFor, type ChromiumHandle } from '../support/rig.ts';

describe('leaving the page mid-call', () => {
  let chromium: ChromiumHandle;
  let sandbox: Sandbox;

  before(async () => {
    [chromium, sandbox] = await Promise.all([launchChromium(), startSandbox({ port: 0, quiet: true, queueMs: 50 })]);
  });
  after(async () => {
    await sandbox?.close();
    await chromium?.close();
  });

  /** Opens the demo page and places a WebRTC call until the agent has it. */
  async function connectedPage(): Promise<Page> {
    const page = await chromium.browser.newPage();
    await page.goto(`${sandbox.url}/`);
    await page.waitForFunction(() => customElements.get('click-to-call') !== undefined);
    await page.locator('#call [part~="call-button"]').click();
    await waitFor('connected', async () => (await page.locator('#call').getAttribute('state')) === 'connected', { timeoutMs: 10_000, intervalMs: 50 });
    await waitFor('agent has the call', () => sandbox.agent.stats().activeCalls === 1);
    return page;
  }

  for (const [how, leave] of [
    ['navigating away', (page: Page) => page.goto('about:blank').then(() => undefined)],
    ['closing the tab', (page: Page) => page.close({ runBeforeUnload: true })],
  ] as const) {
    test(`${how}: the vendor drops the call and the agent's leg ends`, async () => {
      const drops = sandbox.simulator.count('dropClickToCall');
      const page = await connectedPage();
      try {
        assert.equal(sandbox.simulator.state.calls().at(-1)?.status === 'dropped', false);
        await leave(page);
        // The page is gone: only a request that outlived it (keep-alive) can have dropped the call.
        await waitFor('vendor call dropped', () => sandbox.simulator.state.calls().at(-1)?.status === 'dropped', { timeoutMs: 5_000 });
        assert.equal(sandbox.simulator.count('dropClickToCall'), drops + 1);
        await waitFor('agent call over', () => sandbox.agent.stats().activeCalls === 0, { timeoutMs: 5_000 });
      } finally {
        if (!page.isClosed()) await page.close();
      }
    });
  }
});
