import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import '../../src/index.ts';
import type { CallStatus } from '../../src/elements/call-status.ts';
import type { ClickToCall } from '../../src/elements/click-to-call.ts';
import { endpoint, scriptNextCall } from './sandbox.ts';

const part = (el: CallStatus, name: string) => el.shadowRoot!.querySelector(`[part~="${name}"]`);

describe('<call-status>', () => {
  it('should follow a <click-to-call> it is nested in (context)', async () => {
    await scriptNextCall({ outcome: 'hold' });
    const url = await endpoint();
    const wrapper = await fixture<HTMLDivElement>(
      html`<div><click-to-call endpoint=${url} destination="sales"><call-status></call-status></click-to-call></div>`,
    );
    const call = wrapper.querySelector('click-to-call')!;
    const status = wrapper.querySelector('call-status')!;
    expect(status.state).to.equal('idle');
    expect(part(status, 'label')).to.equal(null);
    void call.call();
    await waitUntil(() => status.state === 'queued', 'status never showed queued');
    await status.updateComplete;
    expect(status.getAttribute('state')).to.equal('queued');
    expect(part(status, 'label')!.textContent).to.equal('Waiting for an agent…');
    expect(part(status, 'queue-time')!.textContent).to.match(/^In queue 0:0\d/);
    // Not a live region (its timer would be read out every second): <click-to-call> announces.
    expect(status.shadowRoot!.querySelector('[aria-live], [role=status], [role=alert]')).to.equal(null);
    expect(call.shadowRoot!.querySelector('[role=status]')!.textContent).to.equal('Waiting for an agent…');
    await expect(status).to.be.accessible();
    await call.hangup();
    await status.updateComplete;
    expect(status.state).to.equal('ended');
  });

  it('should follow the element named by for= anywhere on the page, even one added later', async () => {
    await scriptNextCall({ createResult: '12' });
    const url = await endpoint();
    const page = await fixture<HTMLDivElement>(html`<div><call-status for="later"></call-status></div>`);
    const status = page.querySelector('call-status')!;
    const call = document.createElement('click-to-call') as ClickToCall;
    call.id = 'later';
    call.endpoint = url;
    call.destination = 'sales';
    page.append(call);
    const failed = oneEvent(call, 'c2c-error');
    void call.call();
    await failed;
    await status.updateComplete;
    expect(status.state).to.equal('failed');
    expect(part(status, 'error')!.textContent).to.not.equal('');
    await expect(status).to.be.accessible();
  });

  it('should ignore other calls on the page', async () => {
    await scriptNextCall({ createResult: '13' });
    const url = await endpoint();
    const page = await fixture<HTMLDivElement>(html`<div>
      <click-to-call id="a" endpoint=${url} destination="sales"></click-to-call>
      <click-to-call id="b" endpoint=${url} destination="sales"></click-to-call>
      <call-status for="a"></call-status>
    </div>`);
    const b = page.querySelector<ClickToCall>('#b')!;
    const status = page.querySelector('call-status')!;
    const failed = oneEvent(b, 'c2c-error');
    void b.call();
    await failed;
    await status.updateComplete;
    expect(status.state).to.equal('idle');
  });

  it('should stop listening when removed', async () => {
    await scriptNextCall({ createResult: '13' });
    const url = await endpoint();
    const page = await fixture<HTMLDivElement>(html`<div>
      <click-to-call id="c" endpoint=${url} destination="sales"></click-to-call>
      <call-status for="c"></call-status>
    </div>`);
    const status = page.querySelector('call-status')!;
    status.remove();
    const call = page.querySelector<ClickToCall>('#c')!;
    const failed = oneEvent(call, 'c2c-error');
    void call.call();
    await failed;
    expect(status.state).to.equal('idle');
  });
});
