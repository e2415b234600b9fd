import { expect, fixture, html, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import '../../src/index.ts';
import type { ClickToCall } from '../../src/elements/click-to-call.ts';
import { executeServerCommand } from '@web/test-runner-commands';
import { endpoint, simCount } from './sandbox.ts';

const part = (el: ClickToCall, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);

async function mount(): Promise<ClickToCall> {
  const el = await fixture<ClickToCall>(
    html`<click-to-call mode="callback" locale="en-GB" endpoint=${await endpoint()} destination="sales"></click-to-call>`,
  );
  await waitUntil(() => el.shadowRoot!.querySelectorAll('[part~=country] option').length > 100, 'country list not loaded');
  return el;
}

describe('<click-to-call mode="callback">', () => {
  it('asks for the number with a labelled field and a country list from the locale', async () => {
    const el = await mount();
    const input = part(el, 'phone-input') as HTMLInputElement;
    expect(input.type).to.equal('tel');
    expect(input.autocomplete).to.equal('tel');
    expect(el.shadowRoot!.querySelector('label[for=phone]')).to.exist;
    expect((part(el, 'country') as HTMLSelectElement).value).to.equal('GB');
    expect(part(el, 'call-button')!.textContent!.trim()).to.equal('Call me now');
    await expect(el).to.be.accessible();
  });

  it('refuses a bad number next to the field, before any request', async () => {
    const el = await mount();
    const sessions = await simCount('applyToken');
    let started = 0;
    el.addEventListener('c2c-call-start', () => started++);
    const input = part(el, 'phone-input') as HTMLInputElement;
    input.focus();
    await sendKeys({ type: '12' });
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => part(el, 'phone-error') !== null, 'no error shown');
    expect(part(el, 'phone-error')!.textContent).to.match(/does not look right/);
    expect(part(el, 'phone-error')!.getAttribute('role')).to.equal('alert');
    expect(input.getAttribute('aria-invalid')).to.equal('true');
    expect(input.getAttribute('aria-describedby')).to.equal('phone-error');
    expect(el.shadowRoot!.activeElement).to.equal(input);
    expect(started).to.equal(0);
    expect(el.state).to.equal('idle');
    expect(await simCount('applyToken')).to.equal(sessions);
    await expect(el).to.be.accessible();
  });

  it('reads a national number in the chosen country and clears the error while typing', async () => {
    const el = await mount();
    const input = part(el, 'phone-input') as HTMLInputElement;
    input.focus();
    await sendKeys({ type: 'abc' });
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => part(el, 'phone-error') !== null, 'no error shown');
    expect(part(el, 'phone-error')!.textContent).to.match(/digits only/);
    await sendKeys({ press: 'Backspace' });
    await el.updateComplete;
    expect(part(el, 'phone-error')).to.equal(null);
  });
});

describe('callback calls in the sandbox', () => {
  for (const destination of ['callback-sarv', 'callback-udesk', 'callback-ccai']) {
    it(`${destination}: the visitor's phone rings, then the call ends; <call-status> follows`, async () => {
      const url = await endpoint();
      const page = await fixture<HTMLDivElement>(html`<div>
        <click-to-call id="cb" mode="callback" locale="en-IN" endpoint=${url} destination=${destination}></click-to-call>
        <call-status for="cb"></call-status>
      </div>`);
      const el = page.querySelector<ClickToCall>('click-to-call')!;
      const status = page.querySelector('call-status')!;
      await waitUntil(() => el.shadowRoot!.querySelectorAll('[part~=country] option').length > 100, 'country list not loaded');
      const states: string[] = [];
      el.addEventListener('c2c-state-change', (e) => {
        const s = (e as CustomEvent<{ state: string }>).detail.state;
        if (states.at(-1) !== s) states.push(s);
      });
      (part(el, 'phone-input') as HTMLInputElement).focus();
      await sendKeys({ type: { 'callback-sarv': '98765 43210', 'callback-udesk': '+86 138 0013 8000', 'callback-ccai': '+1 415 555 0123' }[destination]! });
      await sendKeys({ press: 'Enter' });
      await waitUntil(() => status.state === 'ringing', 'never ringing', { timeout: 8000 });
      expect(el.snapshot.mode).to.equal('callback');
      expect(el.snapshot.provider).to.equal(destination.slice('callback-'.length));
      await waitUntil(() => el.state === 'ended', `never ended: ${states.join(',')}`, { timeout: 15000 });
      expect(states.slice(0, 2)).to.deep.equal(['authorizing', 'dialing']);
      expect(states).to.include('ringing');
      expect(states.at(-1)).to.equal('ended');
    });
  }
});

describe('booking a callback for later', () => {
  it('offers the destination\'s free times and ends in scheduled with the time in the visitor\'s locale', async () => {
    const url = await endpoint();
    const page = await fixture<HTMLDivElement>(html`<div>
      <click-to-call id="book" mode="callback" locale="en-US" endpoint=${url} destination="callback-ccai"></click-to-call>
      <call-status for="book"></call-status>
    </div>`);
    const el = page.querySelector<ClickToCall>('click-to-call')!;
    const status = page.querySelector('call-status')!;
    await waitUntil(() => el.shadowRoot!.querySelectorAll('[part~=slot] option').length > 1, 'no times offered', { timeout: 5000 });
    const select = part(el, 'slot') as HTMLSelectElement;
    expect(select.options[0]!.textContent).to.equal('Now');
    const chosen = select.options[1]!;
    expect(Date.parse(chosen.value)).to.be.greaterThan(Date.now());
    select.value = chosen.value;
    select.dispatchEvent(new Event('change'));
    await el.updateComplete;
    expect(part(el, 'call-button')!.textContent!.trim()).to.equal('Book this call');
    (part(el, 'phone-input') as HTMLInputElement).focus();
    await sendKeys({ type: '+1 415 555 0199' });
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.state === 'scheduled', 'never scheduled', { timeout: 8000 });
    expect(el.snapshot.scheduledAt).to.equal(chosen.value);
    await el.updateComplete;
    const shown = new Date(chosen.value).toLocaleString('en-US', { dateStyle: 'medium', timeStyle: 'short' });
    expect(part(el, 'status')!.textContent).to.contain(shown);
    await status.updateComplete;
    expect(status.state).to.equal('scheduled');
    await expect(el).to.be.accessible();
  });
});

describe('server-sent events', () => {
  it('resume after the connection drops mid-call, with no event lost or repeated', async () => {
    const url = await endpoint();
    const el = await fixture<ClickToCall>(
      html`<click-to-call mode="callback" locale="en-US" endpoint=${url} destination="callback-ccai"></click-to-call>`,
    );
    await waitUntil(() => el.shadowRoot!.querySelectorAll('[part~=country] option').length > 100, 'country list not loaded');
    const changes: string[] = [];
    el.addEventListener('c2c-state-change', (e) => changes.push((e as CustomEvent<{ state: string }>).detail.state));
    (part(el, 'phone-input') as HTMLInputElement).focus();
    await sendKeys({ type: '+1 415 555 0142' });
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => el.state === 'queued', 'never queued', { timeout: 8000 });
    const dropped = (await executeServerCommand('drop-streams')) as number;
    expect(dropped).to.be.greaterThan(0);
    await waitUntil(() => el.state === 'ended', `never ended: ${changes.join(',')}`, { timeout: 20000 });
    const states = changes.filter((s, i) => s !== changes[i - 1]);
    expect(states).to.deep.equal(['authorizing', 'dialing', 'queued', 'ringing', 'connected', 'ended']);
    expect(el.snapshot.error).to.equal(null);
  });
});
