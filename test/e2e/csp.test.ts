/**
 * The widget under a strict Content Security Policy: demo/csp.html, served by the sandbox with
 * the header of `strictCsp()` (no 'unsafe-inline', no 'unsafe-eval', Trusted Types enforced with
 * only Lit's `lit-html` policy). A whole visit must raise no violation: a WebRTC call with audio
 * both ways, the audio settings and "Test my audio", the keypad, hang-up, then a callback call.
 * Run after `npm run build` (the page loads dist/).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ConsoleMessage } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { audioFlows, trackPeerConnections, waitForAudioStats } from '../support/pages.ts';
import { launchChromium, waitFor, type ChromiumHandle } from '../support/rig.ts';

/**
 * Runs before any page script: records violations from the very first byte (the page's own
 * listener in demo/csp.js starts later). A string: tsx may inject helpers the page lacks.
 */
const RECORD_VIOLATIONS = `(() => {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.__violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile, line: e.lineNumber, sample: e.sample });
  }, true);
})();`;

const CSP_CONSOLE = /Content Security Policy|Content-Security-Policy|Trusted Type|TrustedHTML|TrustedScript|unsafe-eval|unsafe-inline/i;

describe('strict Content Security Policy (demo/csp.html)', () => {
  let chromium: ChromiumHandle;
  let sandbox: Sandbox;

  before(async () => {
    [chromium, sandbox] = await Promise.all([launchChromium(), startSandbox({ port: 0, quiet: true, queueMs: 100 })]);
  });

  after(async () => {
    await sandbox?.close();
    await chromium?.close();
  });

  test('the sandbox sends the strict policy for csp.html', async () => {
    const answer = await fetch(`${sandbox.url}/demo/csp.html`);
    const policy = answer.headers.get('content-security-policy') ?? '';
    await answer.body?.cancel();
    assert.match(policy, /default-src 'none'/);
    assert.match(policy, /script-src 'self'(;|$)/);
    assert.match(policy, /require-trusted-types-for 'script'/);
    assert.match(policy, /trusted-types lit-html(;|$)/);
    assert.doesNotMatch(policy, /unsafe-inline|unsafe-eval|unsafe-hashes|strict-dynamic|\*/);
    // The Node build is not served to browsers.
    assert.equal((await fetch(`${sandbox.url}/dist/server/sandbox.js`)).status, 404);
  });

  test('a WebRTC call, audio settings, Test my audio, keypad, hang-up and a callback call raise no violation', async () => {
    const page = await chromium.browser.newPage();
    const consoleErrors: string[] = [];
    const pageErrors: string[] = [];
    page.on('console', (message: ConsoleMessage) => {
      if (CSP_CONSOLE.test(message.text())) consoleErrors.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    await trackPeerConnections(page);
    await page.addInitScript({ content: RECORD_VIOLATIONS });
    const violations = () => page.evaluate(() => (window as unknown as { __violations: unknown[] }).__violations);
    try {
      const response = await page.goto(`${sandbox.url}/demo/csp.html`);
      assert.match(response?.headers()['content-security-policy'] ?? '', /trusted-types lit-html/);
      await page.waitForFunction(() => customElements.get('click-to-call') !== undefined);
      // The policy is enforced in this page: a plain string into innerHTML is refused.
      const enforced = await page.evaluate(() => {
        try {
          document.createElement('div').innerHTML = '<b>x</b>';
          return false;
        } catch (error) {
          return error instanceof TypeError;
        }
      });
      assert.ok(enforced, 'Trusted Types are not enforced: the test would prove nothing');
      // That refusal was a violation by design: start counting from here.
      await page.evaluate(() => ((window as unknown as { __violations: unknown[] }).__violations.length = 0));
      consoleErrors.length = 0;

      const call = page.locator('#call');
      const part = (name: string) => call.locator(`[part~="${name}"]`);
      const state = () => call.getAttribute('state');
      const waitState = (wanted: string, timeoutMs = 10_000) =>
        waitFor(`#call state ${wanted}`, async () => (await state()) === wanted, { timeoutMs, intervalMs: 50 });

      // Audio settings and the pre-call check before the call (gateway probe, AudioContext).
      await part('settings-button').click();
      await part('microphone-select').waitFor({ timeout: 5_000 });
      await part('test-audio-button').click();
      await waitFor('readiness report', async () => (await part('readiness-check').count()) >= 5, { timeoutMs: 8_000, intervalMs: 50 });
      await waitFor('readiness checks finished', async () =>
        (await part('readiness-check').evaluateAll((els) => els.every((el) => el.getAttribute('data-status') !== 'running' && el.getAttribute('data-status') !== null))),
      { timeoutMs: 8_000, intervalMs: 50 });
      const failed = await part('readiness-check').evaluateAll((els) =>
        els.filter((el) => el.getAttribute('data-status') === 'fail').map((el) => `${el.getAttribute('data-name')}: ${el.textContent}`),
      );
      assert.deepEqual(failed, [], 'the pre-call check passes under the policy');

      // A WebRTC call with audio both ways.
      const dtmfHeard = new Promise<string>((resolve) => {
        const off = sandbox.agent.on('dtmf', (_call, digit) => {
          off();
          resolve(digit.tone);
        });
      });
      await part('call-button').click();
      await waitState('connected');
      const stats = await waitForAudioStats(page, audioFlows(25), { what: 'audio both ways under the policy' });
      assert.ok(stats.inboundAudioLevel > 0);

      // The settings in the call (level meter), then the keypad.
      if ((await part('microphone-select').count()) === 0) await part('settings-button').click();
      await part('level').waitFor({ timeout: 5_000 });
      await part('keypad-button').click();
      await call.locator('[part~="key"]', { hasText: '5' }).click();
      assert.equal(await withTimeout(dtmfHeard, 8_000, 'the agent heard no digit'), '5');

      await part('hangup-button').click();
      await waitState('ended');
      await waitFor('agent call over', () => sandbox.agent.stats().activeCalls === 0);

      // A callback call through Sarv: the number form (its chunk), then the call's events (SSE).
      const callback = page.locator('#callback');
      const input = callback.locator('[part~="phone-input"]');
      await input.fill('+91 98765 43210');
      await input.press('Enter');
      await waitFor('callback ringing', async () => ['ringing', 'connected', 'ended'].includes((await callback.getAttribute('state')) ?? ''), {
        timeoutMs: 10_000,
        intervalMs: 50,
      });
      await waitFor('callback over', async () => (await callback.getAttribute('state')) === 'ended', { timeoutMs: 15_000, intervalMs: 50 });

      assert.deepEqual(await violations(), []);
      assert.deepEqual(consoleErrors, []);
      assert.deepEqual(pageErrors, []);
    } finally {
      await page.close();
    }
  });
});

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
