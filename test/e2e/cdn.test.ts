/**
 * The CDN story: dist/ published on another origin under a deep versioned path, a page on the
 * sandbox's origin that has only `<script type="module" src=".../click-to-call.js">` from
 * there, and a real WebRTC call to `connected`. The call's chunks (engine, JsSIP) must come
 * from the CDN path, found relative to the script's own URL, never from the page's origin
 * (whose root here has no dist/ at all). Run after `npm run build`.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { startCdnSite, type Cdn, type CdnSite } from '../support/cdn.ts';
import { audioFlows, trackPeerConnections, waitForAudioStats } from '../support/pages.ts';
import { waitFor, type ChromiumHandle } from '../support/rig.ts';

const VERSIONED = '/npm/click-to-call@0.1.0/dist/';
const dist = resolve('dist');

const page = (scriptUrl: string) => `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>CDN</title><link rel="icon" href="data:,">
<script type="module" src="${scriptUrl}"></script></head>
<body>
<click-to-call id="call" endpoint="/c2c" destination="sales"></click-to-call>
<call-status for="call"></call-status>
</body>
</html>
`;

describe('the browser build served from a CDN', () => {
  let site: CdnSite;
  let chromium: ChromiumHandle;
  let sandbox: Sandbox;
  let cdn: Cdn;

  before(async () => {
    site = await startCdnSite(VERSIONED, (script) => ({ 'cdn.html': page(script) }));
    ({ chromium, sandbox, cdn } = site);
  });

  after(() => site?.close());

  test('one module script from the CDN; the call loads its chunks from the same versioned path and connects', async () => {
    const tab = await chromium.browser.newPage();
    const scripts: string[] = [];
    const pageErrors: string[] = [];
    tab.on('request', (request) => {
      if (request.resourceType() === 'script' || request.url().endsWith('.js')) scripts.push(request.url());
    });
    tab.on('pageerror', (error) => pageErrors.push(String(error)));
    await trackPeerConnections(tab);
    try {
      await tab.goto(`${sandbox.url}/demo/cdn.html`);
      await tab.waitForFunction(() => customElements.get('click-to-call') !== undefined && customElements.get('call-status') !== undefined);
      // Until a call is wanted, the page has exactly one script: the entry.
      assert.deepEqual(scripts, [`${cdn.base}click-to-call.js`]);

      const call = tab.locator('#call');
      await call.locator('[part~="call-button"]').click();
      await waitFor('#call connected', async () => (await call.getAttribute('state')) === 'connected', { timeoutMs: 15_000, intervalMs: 50 });
      const stats = await waitForAudioStats(tab, audioFlows(25), { what: 'audio both ways with the CDN build' });
      assert.ok(stats.inboundAudioLevel > 0);
      assert.equal(await tab.locator('call-status').getAttribute('state'), 'connected');

      const chunks = readdirSync(dist);
      const engine = chunks.find((n) => /^click-to-call-engine-.*\.js$/.test(n));
      const media = chunks.find((n) => /^click-to-call-sip-.*\.js$/.test(n));
      assert.ok(engine && media, 'run npm run build first');
      for (const chunk of [engine, media]) assert.ok(scripts.includes(`${cdn.base}${chunk}`), `${chunk} was not loaded from ${cdn.base}: ${scripts.join(', ')}`);
      // Nothing script-like came from the page's own origin.
      assert.deepEqual(scripts.filter((url) => !url.startsWith(cdn.base)), []);
      // The CDN saw each chunk requested in CORS mode by the page's origin, and none was missing.
      const served = cdn.requests.filter((r) => r.path.endsWith('.js'));
      assert.ok(served.length >= 3, JSON.stringify(served));
      for (const request of served) {
        assert.equal(request.status, 200, request.path);
        assert.equal(request.origin, sandbox.url, request.path);
      }

      await call.locator('[part~="hangup-button"]').click();
      await waitFor('#call ended', async () => (await call.getAttribute('state')) === 'ended', { timeoutMs: 10_000, intervalMs: 50 });
      assert.deepEqual(pageErrors, []);
    } finally {
      await tab.close();
    }
  });
});
