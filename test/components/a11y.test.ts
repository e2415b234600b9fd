// WCAG 2.2 AA checks in Chromium against the real sandbox: axe on <click-to-call> and
// <call-status> in every call state, light and dark, each layout; the live region; the keyboard.
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { ifDefined } from 'lit/directives/if-defined.js';
import { emulateMedia, executeServerCommand, sendKeys } from '@web/test-runner-commands';
import '../../src/index.ts';
import type { CallStatus } from '../../src/elements/call-status.ts';
import type { ClickToCall, Layout } from '../../src/elements/click-to-call.ts';
import { agentUrl, dropGateway, endpoint, failNext, scriptNextCall } from './sandbox.ts';

type Scheme = 'light' | 'dark';
const part = (el: Element, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const vendor = (name: string, action: string, ...args: unknown[]) => executeServerCommand('vendor', { vendor: name, action, args });

/** Every part name seen rendered in these tests, per element, checked against custom-elements.json at the end. */
const seen: Record<string, Set<string>> = { 'click-to-call': new Set(), 'call-status': new Set() };
const checkedStates = new Set<string>();

function collectParts(el: Element): void {
  for (const node of el.shadowRoot!.querySelectorAll('[part]')) {
    for (const name of node.getAttribute('part')!.split(/\s+/)) seen[el.localName]!.add(name);
  }
}

/** axe on both elements, with the state they must still be in when it is done. */
async function audit(el: ClickToCall, status: CallStatus, state: string): Promise<void> {
  await el.updateComplete;
  await status.updateComplete;
  collectParts(el);
  collectParts(status);
  await expect(el).to.be.accessible();
  await expect(status).to.be.accessible();
  // A state that moved on mid-check would make the check about something else.
  expect(el.state, 'state changed during the check').to.equal(state);
  checkedStates.add(state);
}

async function page(scheme: Scheme, layout: Layout = 'inline', destination = 'sales', mode = '') {
  await emulateMedia({ colorScheme: scheme });
  // A site that supports dark says so; the widget then follows the visitor's preference.
  document.documentElement.style.colorScheme = 'light dark';
  // and paints its own background (axe takes an unpainted page for white).
  document.documentElement.style.background = 'Canvas';
  document.documentElement.style.color = 'CanvasText';
  const url = await endpoint();
  const wrapper = await fixture<HTMLDivElement>(html`<div>
    <click-to-call id="c" layout=${layout} mode=${ifDefined(mode || undefined)} locale="en-US" endpoint=${url} destination=${destination}></click-to-call>
    <call-status for="c"></call-status>
  </div>`);
  const el = wrapper.querySelector<ClickToCall>('click-to-call')!;
  return { el, status: wrapper.querySelector<CallStatus>('call-status')! };
}

/** Each distinct text the live region takes, in order (a repeat would be a second announcement). */
function recordAnnouncements(el: ClickToCall): string[] {
  const region = el.shadowRoot!.querySelector('[role=status]')!;
  const said: string[] = [];
  new MutationObserver(() => {
    const text = region.textContent!.trim();
    if (text) said.push(text);
  }).observe(region, { childList: true, characterData: true, subtree: true });
  return said;
}

const until = (el: ClickToCall, state: string, timeout = 8000) =>
  waitUntil(() => el.state === state, `never ${state} (at ${el.state})`, { timeout, interval: 10 });

afterEach(async () => {
  await emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
  document.documentElement.style.colorScheme = '';
  document.documentElement.style.background = '';
  document.documentElement.style.color = '';
});

describe('accessibility: every state, light and dark', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`a WebRTC call (${scheme}): idle, authorizing, dialing, queued, connected, reconnecting, ending, ended`, async () => {
      await scriptNextCall({ outcome: 'connect', queueMs: 1500 });
      await failNext('applyToken', { delayMs: 1200 });
      await failNext('createClickToCall', { delayMs: 1200 });
      const { el, status } = await page(scheme);
      if (scheme === 'dark') {
        expect(getComputedStyle(part(el, 'call-button')!).backgroundColor).to.equal('rgb(138, 180, 248)');
      }
      await audit(el, status, 'idle');
      const said = recordAnnouncements(el);
      void el.call();
      await until(el, 'authorizing');
      await audit(el, status, 'authorizing');
      await until(el, 'dialing');
      await audit(el, status, 'dialing');
      await until(el, 'queued');
      await audit(el, status, 'queued');
      await until(el, 'connected', 15000);
      await audit(el, status, 'connected');
      // Kept away for a while, so the call stays in reconnecting; hung up from there.
      await dropGateway(4000);
      await until(el, 'reconnecting');
      await audit(el, status, 'reconnecting');
      await failNext('dropClickToCall', { delayMs: 1200 });
      const ended = oneEvent(el, 'c2c-ended');
      void el.hangup();
      await until(el, 'ending');
      await audit(el, status, 'ending');
      await ended;
      await dropGateway(0);
      await audit(el, status, 'ended');
      // Each state once, the timers never: the queue time ticked for over a second meanwhile.
      expect(said).to.deep.equal([
        'Preparing the call…',
        'Calling…',
        'Waiting for an agent…',
        ...(said.includes('Connecting the audio…') ? ['Connecting the audio…'] : []),
        'Connected',
        'Reconnecting…',
        'Hanging up…',
        'Call ended',
      ]);
      // The following <call-status> shows the state but does not announce it a second time.
      expect(status.shadowRoot!.querySelector('[aria-live], [role=status], [role=alert]')).to.equal(null);
      expect(el.shadowRoot!.querySelectorAll('[aria-live], [role=status], [role=alert]').length).to.equal(1);
    });

    it(`connecting (${scheme}): held while the first gateway address accepts TCP and never answers`, async () => {
      const hanging = (await executeServerCommand('hanging-address')) as string;
      await scriptNextCall({ outcome: 'connect', queueMs: 50, gwAddresses: [hanging, (await agentUrl())!] });
      const { el, status } = await page(scheme);
      const connected = oneEvent(el, 'c2c-connected');
      void el.call();
      await until(el, 'connecting');
      await audit(el, status, 'connecting');
      await connected;
      await el.hangup();
    });

    it(`a failed call (${scheme}) is announced once, with the reason`, async () => {
      await scriptNextCall({ createResult: '12' });
      const { el, status } = await page(scheme);
      const said = recordAnnouncements(el);
      const failed = oneEvent(el, 'c2c-error');
      void el.call();
      await failed;
      await audit(el, status, 'failed');
      const message = part(el, 'error')!.textContent!;
      expect(said.at(-1)).to.equal(`The call failed: ${message}`);
      expect(said.filter((text) => text.startsWith('The call failed'))).to.have.length(1);
    });

    it(`a callback (${scheme}): ringing, then booked for later (scheduled)`, async () => {
      await vendor('sarv', 'scriptNextCall', { outcome: 'answered', ringMs: 2500 });
      const ringing = await page(scheme, 'inline', 'callback-sarv', 'callback');
      await waitUntil(() => part(ringing.el, 'phone-input') !== null, 'no form');
      (ringing.el as ClickToCall).phone = '+91 98765 43210';
      void ringing.el.call();
      await until(ringing.el, 'ringing');
      await audit(ringing.el, ringing.status, 'ringing');
      void ringing.el.hangup();

      const { el, status } = await page(scheme, 'inline', 'callback-ccai', 'callback');
      await waitUntil(() => el.shadowRoot!.querySelectorAll('[part~=slot] option').length > 1, 'no times offered', { timeout: 5000 });
      const select = part(el, 'slot') as HTMLSelectElement;
      select.value = select.options[1]!.value;
      select.dispatchEvent(new Event('change'));
      el.phone = '+1 415 555 0199';
      const said = recordAnnouncements(el);
      void el.call();
      await until(el, 'scheduled');
      await audit(el, status, 'scheduled');
      expect(said.at(-1)).to.equal(part(el, 'status')!.textContent);
    });
  }

  it('the callback form with an error, the keypad open and the settings open pass axe', async () => {
    const form = await page('light', 'inline', 'sales', 'callback');
    await waitUntil(() => part(form.el, 'phone-input') !== null, 'no form');
    form.el.phone = '12';
    await form.el.call();
    await waitUntil(() => part(form.el, 'phone-error') !== null, 'no error shown');
    await audit(form.el, form.status, 'idle');

    await scriptNextCall({ outcome: 'connect', queueMs: 50 });
    const { el, status } = await page('dark');
    part(el, 'settings-button')!.click();
    await waitUntil(() => part(el, 'microphone-select') !== null, 'settings never opened', { timeout: 3000 });
    await audit(el, status, 'idle');
    void el.call();
    await until(el, 'connected', 15000);
    part(el, 'keypad-button')!.click();
    await el.updateComplete;
    await audit(el, status, 'connected');
    await el.hangup();
  });
});

describe('accessibility: layouts', () => {
  for (const layout of ['inline', 'compact', 'floating'] as const) {
    it(`${layout}: idle, connected and failed pass axe; buttons are named and at least 24 px`, async () => {
      await scriptNextCall({ outcome: 'connect', queueMs: 50 });
      const { el, status } = await page('light', layout);
      expect(el.getAttribute('layout')).to.equal(layout);
      // The layouts' chunk (styles and icons) arrives after the first render.
      if (layout !== 'inline') await waitUntil(() => part(el, 'icon') !== null, 'no icons');
      await audit(el, status, 'idle');
      void el.call();
      await until(el, 'connected', 15000);
      await audit(el, status, 'connected');
      for (const button of el.shadowRoot!.querySelectorAll<HTMLButtonElement>('button')) {
        if (button.closest('[hidden]')) continue;
        const box = button.getBoundingClientRect();
        expect(box.width, button.getAttribute('part')!).to.be.at.least(24);
        expect(box.height, button.getAttribute('part')!).to.be.at.least(24);
        expect(button.textContent!.trim(), `${button.getAttribute('part')} has no name`).to.not.equal('');
      }
      await el.hangup();
      await scriptNextCall({ createResult: '13' });
      const failed = oneEvent(el, 'c2c-error');
      void el.call();
      await failed;
      await audit(el, status, 'failed');
    });
  }
});

describe('keyboard', () => {
  it('Tab, Enter and Space run a call; Escape closes the keypad and returns focus to its button', async () => {
    await scriptNextCall({ outcome: 'connect', queueMs: 50 });
    const { el } = await page('light');
    const before = document.createElement('button');
    before.textContent = 'before';
    el.before(before);
    before.focus();
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'call-button'));
    await sendKeys({ press: 'Enter' });
    await until(el, 'connected', 15000);
    // Focus followed the call button's replacement.
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'hangup-button'));
    part(el, 'keypad-button')!.focus();
    await sendKeys({ press: 'Space' });
    await el.updateComplete;
    expect(part(el, 'keypad')).to.not.equal(null);
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Tab' });
    await sendKeys({ press: 'Tab' });
    expect(el.shadowRoot!.activeElement!.getAttribute('part')).to.equal('key');
    await sendKeys({ press: 'Escape' });
    await el.updateComplete;
    expect(part(el, 'keypad')).to.equal(null);
    await waitUntil(() => el.shadowRoot!.activeElement === part(el, 'keypad-button'), 'focus did not return to the keypad button');
    part(el, 'hangup-button')!.focus();
    await sendKeys({ press: 'Enter' });
    await until(el, 'ended');
    expect(el.shadowRoot!.activeElement).to.equal(part(el, 'call-button'));
  });

  it('floating: focus moves into the panel, Escape folds it (the call goes on), the round button reopens it, Tab leaves', async () => {
    await scriptNextCall({ outcome: 'connect', queueMs: 50 });
    const { el } = await page('light', 'floating');
    await waitUntil(() => part(el, 'icon') !== null, 'no icons');
    const base = part(el, 'base')!;
    expect(getComputedStyle(base).position).to.equal('fixed');
    part(el, 'call-button')!.focus();
    await sendKeys({ press: 'Enter' });
    await until(el, 'connected', 15000);
    const panel = part(el, 'panel')!;
    const toggle = part(el, 'panel-button')!;
    expect(toggle.getAttribute('aria-expanded')).to.equal('true');
    expect(panel.contains(el.shadowRoot!.activeElement)).to.equal(true);
    await sendKeys({ press: 'Escape' });
    await waitUntil(() => el.shadowRoot!.activeElement === toggle, 'focus did not return to the round button');
    expect(panel.hidden).to.equal(true);
    expect(toggle.getAttribute('aria-expanded')).to.equal('false');
    expect(el.state).to.equal('connected');
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => panel.contains(el.shadowRoot!.activeElement), 'focus did not move into the panel');
    // No trap: Tab goes through the panel and out of the widget.
    for (let i = 0; i < 8 && document.activeElement === el; i++) await sendKeys({ press: 'Tab' });
    expect(document.activeElement).to.not.equal(el);
    await el.hangup();
    await until(el, 'ended');
    expect(part(el, 'panel')).to.equal(null);
  });
});

describe('every part is documented', () => {
  it('the parts rendered above are the ones custom-elements.json lists', async () => {
    expect([...checkedStates].sort()).to.deep.equal(
      ['authorizing', 'connected', 'connecting', 'dialing', 'ended', 'ending', 'failed', 'idle', 'queued', 'reconnecting', 'ringing', 'scheduled'].sort(),
    );
    const manifest = (await (await fetch('/custom-elements.json')).json()) as {
      modules: Array<{ declarations?: Array<{ tagName?: string; cssParts?: Array<{ name: string }> }> }>;
    };
    const documented = (tag: string) =>
      new Set(manifest.modules.flatMap((m) => m.declarations ?? []).find((d) => d.tagName === tag)!.cssParts!.map((p) => p.name));
    // Shown only by the audio checks, device errors and blocked audio (controls.test.ts covers them).
    const elsewhere = new Set(['enable-audio', 'audio-note', 'device-error', 'speaker-select', 'settings-note', 'readiness-summary', 'readiness-list', 'readiness-check', 'level', 'quality']);
    for (const tag of ['click-to-call', 'call-status']) {
      const listed = documented(tag);
      for (const name of seen[tag]!) expect(listed.has(name), `${tag} part "${name}" is not documented`).to.equal(true);
      for (const name of listed) {
        if (elsewhere.has(name)) continue;
        expect(seen[tag]!.has(name), `${tag} part "${name}" is documented but never rendered here`).to.equal(true);
      }
    }
  });
});
