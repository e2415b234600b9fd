/**
 * The WordPress plugin's page in a real browser: PHP renders two shortcodes (one with hostile
 * attribute values) and the script tag the plugin enqueues, through the WordPress test double;
 * the page is served by the sandbox with the widget from a CDN origin, and the first button makes
 * a WebRTC call to `connected`. The same page with the pre-6.5 classic registration must define
 * the elements too. Needs php and `npm run build`.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { Sandbox } from '../../src/sandbox/index.ts';
import { startCdnSite, type CdnSite } from '../support/cdn.ts';
import { trackPeerConnections } from '../support/pages.ts';
import { waitFor, type ChromiumHandle } from '../support/rig.ts';
import { renderWordPress } from '../support/wordpress/render.ts';

/** Would run if any of it became markup: sets a flag the test reads. */
const HOSTILE_LABEL = 'Talk "to" us <img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>';

function wordPressPage(scriptUrl: string, legacy: boolean): string {
  const out = renderWordPress(
    {
      options: { endpoint: '/c2c', script_url: scriptUrl },
      shortcodes: [
        { destination: 'sales', label: HOSTILE_LABEL },
        { destination: 'callback-sarv"><script>window.__pwned=3</script>', mode: 'callback', locale: 'zh-CN', status: 'no' },
      ],
    },
    { legacy },
  );
  return `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>A WordPress page</title><link rel="icon" href="data:,">
${out.scripts}</head>
<body><article><h1>Contact</h1>
${out.shortcodes.join('\n')}
</article></body>
</html>
`;
}

describe('the WordPress shortcode in Chromium', () => {
  let site: CdnSite;
  let chromium: ChromiumHandle;
  let sandbox: Sandbox;

  before(async () => {
    site = await startCdnSite('/npm/click-to-call@0.1.0/dist/', (script) => ({
      'wp.html': wordPressPage(script, false),
      'wp-legacy.html': wordPressPage(script, true),
    }));
    ({ chromium, sandbox } = site);
  });

  after(() => site?.close());

  async function open(path: string): Promise<{ tab: Page; errors: string[] }> {
    const tab = await chromium.browser.newPage();
    const errors: string[] = [];
    tab.on('pageerror', (error) => errors.push(String(error)));
    await trackPeerConnections(tab);
    await tab.goto(`${sandbox.url}${path}`);
    await tab.waitForFunction(() => customElements.get('click-to-call') !== undefined && customElements.get('call-status') !== undefined);
    return { tab, errors };
  }

  test('the rendered page: hostile values stay text, the attributes arrive intact, and a call connects', async () => {
    const { tab, errors } = await open('/demo/wp.html');
    try {
      const seen = await tab.evaluate(() => {
        const [first, second] = [...document.querySelectorAll('click-to-call')];
        return {
          pwned: (window as unknown as { __pwned?: number }).__pwned ?? null,
          scripts: document.querySelectorAll('script').length,
          images: document.querySelectorAll('img').length,
          label: first?.querySelector('[slot=label]')?.textContent ?? null,
          first: first && { endpoint: first.getAttribute('endpoint'), destination: first.getAttribute('destination'), status: document.querySelector('call-status')?.getAttribute('for') },
          second: second && { destination: second.getAttribute('destination'), mode: second.getAttribute('mode'), locale: second.getAttribute('locale') },
          statuses: document.querySelectorAll('call-status').length,
        };
      });
      assert.deepEqual(seen, {
        pwned: null,
        scripts: 1,
        images: 0,
        label: HOSTILE_LABEL,
        first: { endpoint: '/c2c', destination: 'sales', status: 'click-to-call-1' },
        second: { destination: 'callback-sarvscriptwindow.__pwned3script', mode: 'callback', locale: 'zh-CN' },
        statuses: 1,
      });

      const call = tab.locator('#click-to-call-1');
      await call.locator('[part~="call-button"]').click();
      await waitFor('shortcode call connected', async () => (await call.getAttribute('state')) === 'connected', { timeoutMs: 15_000, intervalMs: 50 });
      assert.equal(await tab.locator('call-status[for="click-to-call-1"]').getAttribute('state'), 'connected');
      await call.locator('[part~="hangup-button"]').click();
      await waitFor('shortcode call ended', async () => (await call.getAttribute('state')) === 'ended', { timeoutMs: 10_000, intervalMs: 50 });
      assert.ok(site.cdn.requests.some((r) => /click-to-call-sip-/.test(r.path)), 'the media chunk did not come from the CDN');
      assert.deepEqual(errors, []);
    } finally {
      await tab.close();
    }
  });

  test('before WordPress 6.5 (classic registration printed as a module) the elements are defined the same way', async () => {
    const { tab, errors } = await open('/demo/wp-legacy.html');
    try {
      const script = await tab.evaluate(() => {
        const el = document.querySelector('script')!;
        return { type: el.type, id: el.id };
      });
      assert.deepEqual(script, { type: 'module', id: 'click-to-call-js' });
      assert.equal(await tab.locator('#click-to-call-1').getAttribute('state'), 'idle');
      assert.deepEqual(errors, []);
    } finally {
      await tab.close();
    }
  });
});
