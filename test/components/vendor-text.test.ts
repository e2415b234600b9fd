/**
 * Text from vendors and endpoints reaches the screen as text only, if at all: markup, scripts,
 * `javascript:` URLs, very long strings and bidirectional control characters, sent through
 * every path that carries vendor text to the visitor (Huawei's causeDesc, CCAI's fail_details
 * and refusal messages, udesk's ErrDesc, the endpoint's own error messages, and what a hostile
 * endpoint can put in an error, a failure event or a queue position), must create no element
 * and run no handler, in <click-to-call> and in <call-status>. A failure with a known error
 * code shows the widget's own sentence for it (the vendor's text stays in snapshot.error);
 * only an unknown code shows the endpoint's message, as text.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { ifDefined } from 'lit/directives/if-defined.js';
import { executeServerCommand } from '@web/test-runner-commands';
import '../../src/index.ts';
import type { ClickToCall } from '../../src/elements/click-to-call.ts';
import type { CallStatus } from '../../src/elements/call-status.ts';
import { endpoint, hostileEndpoint, scriptNextCall } from './sandbox.ts';
import { EN_ERRORS } from '../../src/i18n/errors.ts';

declare global {
  interface Window {
    __xss?: number[];
  }
}

const vendor = (name: string, action: string, ...args: unknown[]) => executeServerCommand('vendor', { vendor: name, action, args });

/** Markup of every kind a vendor could slip in, and the controls that reorder text on screen. */
const MARKUP =
  '<img src=x onerror="(window.__xss=window.__xss||[]).push(1)">' +
  '<script>(window.__xss=window.__xss||[]).push(2)</script>' +
  '<a href="javascript:(window.__xss=window.__xss||[]).push(3)">x</a>' +
  '<svg onload="(window.__xss=window.__xss||[]).push(4)"></svg>' +
  ' \u202Egnp.exe\u202C \u2066\u200F\u2069 \u200B';
const LONG = `${'A very long vendor sentence. '.repeat(200)}<b onmouseover="(window.__xss=window.__xss||[]).push(5)">end</b>`;
/** Short enough for a destination key (64 characters at most). */
const SHORT = '<img src=x onerror="(window.__xss=[6])">\u202Ex';

interface Shown {
  text: string;
  elementChildren: number;
}

function shown(root: ShadowRoot, part: string): Shown {
  const el = root.querySelector(`[part~="${part}"]`);
  expect(el, `no [part=${part}]`).to.exist;
  return { text: el!.textContent ?? '', elementChildren: el!.children.length };
}

/**
 * Nothing was parsed as markup, no handler ran, and the text is the widget's sentence for a
 * known error code, else the payload (maybe inside a sentence).
 */
async function expectTextOnly(el: ClickToCall, status: CallStatus, payload: string): Promise<void> {
  const sentence = (EN_ERRORS as Record<string, string>)[`error.${el.snapshot.error!.code}`];
  await el.updateComplete;
  await status.updateComplete;
  // Give a created <img> the time to fail loading and fire onerror (a frame and a task).
  await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 50)));
  for (const [root, part] of [[el.shadowRoot!, 'error'], [status.shadowRoot!, 'error']] as const) {
    const { text, elementChildren } = shown(root, part);
    expect(elementChildren, `${part} has child elements`).to.equal(0);
    expect(root.querySelectorAll('img, script, svg, a, b, iframe, object').length, 'an element from the payload').to.equal(0);
    // Shown as it came, whole, or as its beginning (a safe truncation), inside a sentence perhaps.
    const probe = payload.slice(0, 60);
    if (sentence) expect(text).to.equal(sentence);
    else expect(text.includes(probe), `shown: ${JSON.stringify(text.slice(0, 200))}`).to.be.true;
  }
  expect(document.querySelectorAll('img, svg').length).to.equal(0);
  expect(document.scripts.length, 'a script element was added').to.equal(scriptsBefore);
  expect(window.__xss, 'a payload ran').to.equal(undefined);
}

async function mount(attrs: { endpoint: string; destination: string; mode?: 'callback' }) {
  const page = await fixture<HTMLDivElement>(html`<div>
    <click-to-call id="vt" endpoint=${attrs.endpoint} destination=${attrs.destination} mode=${ifDefined(attrs.mode)} locale="en-US"></click-to-call>
    <call-status for="vt"></call-status>
  </div>`);
  const el = page.querySelector('click-to-call')!;
  return { el, status: page.querySelector('call-status')! };
}

async function failedCall(el: ClickToCall, phone?: string) {
  if (phone) el.phone = phone;
  const error = oneEvent(el, 'c2c-error');
  void el.call();
  await error;
}

let scriptsBefore = 0;

describe('vendor text is shown as text only', () => {
  beforeEach(() => {
    delete window.__xss;
    scriptsBefore = document.scripts.length;
  });

  for (const [name, payload] of [['markup', MARKUP], ['a very long string', LONG]] as const) {
    it(`Huawei causeDesc of a failed call (${name})`, async () => {
      await scriptNextCall({ outcome: 'failed', queueMs: 20, causeDesc: payload });
      const { el, status } = await mount({ endpoint: await endpoint(), destination: 'sales' });
      await failedCall(el);
      expect(el.snapshot.error!.code).to.equal('call-failed');
      await expectTextOnly(el, status, payload);
    });

    it(`Huawei causeDesc of a queue timeout (${name})`, async () => {
      await scriptNextCall({ outcome: 'queue-timeout', queueMs: 20, causeDesc: payload });
      const { el, status } = await mount({ endpoint: await endpoint(), destination: 'sales' });
      await failedCall(el);
      expect(el.snapshot.error!.code).to.equal('queue-timeout');
      await expectTextOnly(el, status, payload);
    });

    it(`CCAI fail_details of a callback call, over server-sent events (${name})`, async () => {
      await vendor('ccai', 'scriptNextCall', { statuses: [['queued', 20], ['failed', undefined, { fail_reason: 'unknown', fail_details: payload }]] });
      const { el, status } = await mount({ endpoint: await endpoint(), destination: 'callback-ccai', mode: 'callback' });
      await failedCall(el, '+14155550123');
      await expectTextOnly(el, status, payload);
    });

    it(`CCAI refusal message, relayed in the endpoint's error (${name})`, async () => {
      await vendor('ccai', 'scriptNextCall', { error: { status: 400, message: payload } });
      const { el, status } = await mount({ endpoint: await endpoint(), destination: 'callback-ccai', mode: 'callback' });
      await failedCall(el, '+14155550123');
      await expectTextOnly(el, status, payload);
    });

    it(`udesk ErrDesc, relayed in the endpoint's error (${name})`, async () => {
      await vendor('udesk', 'scriptNextCall', { errorCode: '000001', errorDesc: payload });
      const { el, status } = await mount({ endpoint: await endpoint(), destination: 'callback-udesk', mode: 'callback' });
      await failedCall(el, '+8613800138000');
      await expectTextOnly(el, status, payload);
    });

    it(`a hostile endpoint's error message (${name})`, async () => {
      const url = await hostileEndpoint({ session: { status: 400, body: { error: { code: 'vendor-rejected', message: payload } } } });
      const { el, status } = await mount({ endpoint: url, destination: 'sales' });
      await failedCall(el);
      await expectTextOnly(el, status, payload);
    });

    it(`a hostile endpoint's failure event, unknown code and message (${name})`, async () => {
      const url = await hostileEndpoint({ events: { status: 200, body: { events: [{ id: '1', type: 'failed', code: SHORT, message: payload }] } } });
      const { el, status } = await mount({ endpoint: url, destination: 'sales' });
      await failedCall(el);
      await expectTextOnly(el, status, payload);
    });
  }

  it('the endpoint\'s own message naming an unknown destination the page set', async () => {
    const { el, status } = await mount({ endpoint: await endpoint(), destination: SHORT });
    await failedCall(el);
    expect(el.snapshot.error!.code).to.equal('unknown-destination');
    await expectTextOnly(el, status, SHORT);
  });

  it('a queue position that is not a number is refused as an invalid answer, not shown', async () => {
    const url = await hostileEndpoint({ events: { status: 200, body: { events: [{ id: '1', type: 'queued', position: MARKUP }] } } });
    const { el, status } = await mount({ endpoint: url, destination: 'sales' });
    await failedCall(el);
    expect(el.snapshot.error!.code).to.equal('invalid-response');
    expect(el.snapshot.queuePosition).to.equal(null);
    await el.updateComplete;
    await status.updateComplete;
    for (const root of [el.shadowRoot!, status.shadowRoot!]) {
      expect(root.textContent!.includes('<img')).to.be.false;
      expect(root.querySelectorAll('img, script, svg, a').length).to.equal(0);
    }
    expect(window.__xss).to.equal(undefined);
  });

  it('a numeric queue position is shown as a number', async () => {
    const url = await hostileEndpoint({ events: { status: 200, body: { events: [{ id: '1', type: 'queued', position: 3 }] } } });
    const { el, status } = await mount({ endpoint: url, destination: 'sales' });
    void el.call();
    await waitUntil(() => el.state === 'queued', 'never queued', { timeout: 5000 });
    await status.updateComplete;
    expect(shown(status.shadowRoot!, 'queue-time').text).to.match(/position 3$/);
    await el.hangup();
  });
});
