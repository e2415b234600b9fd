/**
 * The demo's theme playground (demo/themes.html, served by the sandbox that `npm start` runs)
 * in Chromium: each control changes the real widget and the CSS snippet to copy, and the
 * playground offers every colour the element documents. Run after `npm run build`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startSandbox, type Sandbox } from '../../src/sandbox/index.ts';
import { launchChromium, type ChromiumHandle } from '../support/rig.ts';

/** Computed style of a part of the playground's <click-to-call>. */
const partStyle = (page: Page, part: string, property: string) =>
  page.evaluate(
    ([p, prop]) => getComputedStyle(document.getElementById('call')!.shadowRoot!.querySelector(`[part~="${p}"]`)!).getPropertyValue(prop!),
    [part, property] as const,
  );

describe('the theme playground', () => {
  let chromium: ChromiumHandle;
  let sandbox: Sandbox;
  let page: Page;
  const problems: string[] = [];

  before(async () => {
    [chromium, sandbox] = await Promise.all([launchChromium(), startSandbox({ port: 0, quiet: true })]);
    page = await chromium.browser.newPage();
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(`${message.type()}: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`pageerror: ${String(error)}`));
    const index = await (await fetch(`${sandbox.url}/`)).text();
    assert.match(index, /href="\/?demo\/themes\.html"/, 'the demo index does not link the playground');
    assert.equal((await page.goto(`${sandbox.url}/demo/themes.html`))?.status(), 200);
    await page.waitForFunction(() => document.getElementById('call')?.shadowRoot?.querySelector('[part~="call-button"]'));
  });

  after(async () => {
    await sandbox?.close();
    await chromium?.close();
  });

  test('a colour control repaints the call button and lands in the snippet', async () => {
    await page.locator('input[name="--c2c-accent"]').fill('#8b0000');
    await page.waitForFunction(() => document.getElementById('css')!.textContent!.includes('--c2c-accent: #8b0000'));
    assert.equal(await partStyle(page, 'call-button', 'background-color'), 'rgb(139, 0, 0)');
  });

  test('layout and language controls set the attributes, and the snippet says so', async () => {
    await page.selectOption('select[name="layout"]', 'compact');
    await page.selectOption('select[name="locale"]', 'zh-CN');
    assert.equal(await page.locator('#call').getAttribute('layout'), 'compact');
    await page.waitForFunction(() => /[\u4e00-\u9fff]/.test(document.getElementById('call')!.shadowRoot!.textContent!));
    const snippet = await page.locator('#css').textContent();
    assert.match(snippet!, /layout="compact" locale="zh-CN"/);
  });

  test('reset brings the defaults back', async () => {
    await page.locator('button[type="reset"]').click();
    await page.waitForFunction(() => !document.getElementById('css')!.textContent!.includes('--c2c-accent'));
    assert.equal(await page.locator('#call').getAttribute('layout'), 'inline');
    assert.equal(await page.locator('#call').getAttribute('locale'), null);
    assert.equal(await partStyle(page, 'call-button', 'background-color'), 'rgb(11, 107, 203)');
  });

  test('every colour custom property of <click-to-call> has a control, and the page logged no problem', async () => {
    const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8')) as {
      modules: Array<{ declarations?: Array<{ tagName?: string; cssProperties?: Array<{ name: string; default?: string }> }> }>;
    };
    const element = manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === 'click-to-call')!;
    const colours = element.cssProperties!.filter((p) => /^(#|light-dark\(|rgb)/.test(p.default ?? '')).map((p) => p.name);
    assert.ok(colours.length >= 5, `only ${colours.length} colour properties documented`);
    const controls = await page.locator('#colors input').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).name));
    assert.deepEqual(colours.filter((name) => !controls.includes(name)), [], 'colours without a control');
    assert.deepEqual(problems, []);
  });
});
