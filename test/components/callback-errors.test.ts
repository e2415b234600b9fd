import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { executeServerCommand, sendKeys } from '@web/test-runner-commands';
import '../../src/index.ts';
import type { ClickToCall } from '../../src/elements/click-to-call.ts';
import type { CallSnapshot } from '../../src/core/snapshot.ts';
import { endpoint } from './sandbox.ts';

const vendor = (name: string, action: string, ...args: unknown[]) => executeServerCommand('vendor', { vendor: name, action, args });
const part = (el: ClickToCall, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);

const NUMBERS: Record<string, string> = { sarv: '+91 98765 43210', udesk: '+86 138 0013 8000', ccai: '+1 415 555 0123' };

async function callWith(provider: string, number = NUMBERS[provider]!): Promise<ClickToCall> {
  const el = await fixture<ClickToCall>(
    html`<click-to-call mode="callback" locale="en-US" endpoint=${await endpoint()} destination=${`callback-${provider}`}></click-to-call>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelectorAll('[part~=country] option').length > 100, 'country list not loaded');
  (part(el, 'phone-input') as HTMLInputElement).focus();
  await sendKeys({ type: number });
  await sendKeys({ press: 'Enter' });
  return el;
}

async function failsWith(provider: string, code: string, number?: string): Promise<CallSnapshot> {
  const el = await callWith(provider, number);
  if (el.state !== 'failed') await oneEvent(el, 'c2c-error');
  expect(el.snapshot.error!.code).to.equal(code);
  await el.updateComplete;
  // The visitor reads a sentence, shown as text.
  expect(part(el, 'error')!.textContent!.length).to.be.greaterThan(10);
  return el.snapshot;
}

describe('callback errors in Chromium, per vendor', () => {
  for (const provider of ['sarv', 'udesk', 'ccai']) {
    it(`${provider}: a premium-rate number is refused by the endpoint with invalid-phone-number`, async () => {
      await failsWith(provider, 'invalid-phone-number', '+1 900 555 0123');
    });
  }

  const classes: Array<[string, string, () => Promise<unknown>]> = [
    ['sarv', 'vendor-rejected', () => vendor('sarv', 'scriptNextCall', { errorCode: '1002' })],
    ['sarv', 'invalid-phone-number', () => vendor('sarv', 'scriptNextCall', { errorCode: '1508' })],
    ['sarv', 'no-agent-available', () => vendor('sarv', 'scriptNextCall', { errorCode: '1578' })],
    ['sarv', 'vendor-unavailable', () => vendor('sarv', 'scriptNextCall', { errorCode: '1501' })],
    ['udesk', 'no-agent-available', () => vendor('udesk', 'setAgent', '10032', 'offline')],
    ['udesk', 'vendor-unavailable', () => vendor('udesk', 'failNext', { status: 503 })],
    ['ccai', 'no-agent-available', () => vendor('ccai', 'scriptNextCall', { error: { status: 400, message: 'Agent is not available' } })],
    ['ccai', 'outside-business-hours', () => vendor('ccai', 'scriptNextCall', { error: { status: 400, message: 'Menu is in after hours state' } })],
    ['ccai', 'invalid-phone-number', () => vendor('ccai', 'scriptNextCall', { error: { status: 400, message: 'end_user_number is not well formed' } })],
    ['ccai', 'vendor-unavailable', () => vendor('ccai', 'failNext', { status: 500 })],
  ];
  for (const [provider, code, arrange] of classes) {
    it(`${provider}: a vendor refusal becomes ${code}`, async () => {
      await arrange();
      try {
        await failsWith(provider, code);
      } finally {
        if (provider === 'udesk') await vendor('udesk', 'setAgent', '10032', 'ready');
      }
    });
  }

  it('udesk: webhooks with a bad signature are refused and move nothing', async () => {
    await vendor('udesk', 'signWith', 'a-wrong-secret');
    try {
      const el = await callWith('udesk');
      await waitUntil(() => el.state === 'queued', 'never queued (the start answer)');
      await vendor('udesk', 'settled');
      expect(el.state).to.equal('queued');
      await el.hangup();
    } finally {
      await vendor('udesk', 'signWith', undefined);
    }
  });

  it('udesk: duplicate and out-of-order webhooks never move the call backwards', async () => {
    await vendor('udesk', 'deliverDuplicate', true);
    await vendor('udesk', 'deliverOutOfOrder', true);
    try {
      const el = await callWith('udesk');
      const states: string[] = [];
      el.addEventListener('c2c-state-change', (e) => states.push((e as CustomEvent<CallSnapshot>).detail.state));
      await waitUntil(() => el.state === 'ended', `never ended: ${states.join(',')}`, { timeout: 20000 });
      const order = ['authorizing', 'dialing', 'queued', 'ringing', 'connected', 'ended'];
      for (let i = 1; i < states.length; i++) expect(order.indexOf(states[i]!)).to.be.at.least(order.indexOf(states[i - 1]!));
    } finally {
      await vendor('udesk', 'deliverDuplicate', false);
      await vendor('udesk', 'deliverOutOfOrder', false);
    }
  });
});
