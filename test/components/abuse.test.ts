import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import '../../src/index.ts';
import { ClickToCall } from '../../src/elements/click-to-call.ts';
import { endpoint } from './sandbox.ts';

/** A token endpoint that refuses every session as over a rate limit, recording what it was sent. */
function refusingFetch(seen: unknown[], retryAfter: number): typeof fetch {
  return async (_input, init) => {
    seen.push(JSON.parse(String(init?.body ?? 'null')));
    const body = { error: { code: 'rate-limited', message: 'Too many requests from your network.', retryAfter } };
    return new Response(JSON.stringify(body), { status: 429, headers: { 'content-type': 'application/json', 'retry-after': String(retryAfter) } });
  };
}

async function mount(fetchImpl: typeof fetch): Promise<ClickToCall> {
  const el = new ClickToCall({ fetch: fetchImpl });
  el.endpoint = await endpoint();
  el.destination = 'sales';
  return fixture<ClickToCall>(html`${el}`);
}

describe('<click-to-call> abuse protection', () => {
  it('should send the CAPTCHA token a c2c-call-start listener sets with the session request', async () => {
    const seen: unknown[] = [];
    const el = await mount(refusingFetch(seen, 40));
    el.addEventListener('c2c-call-start', () => (el.captchaToken = 'solved-captcha-token'));
    const failed = oneEvent(el, 'c2c-error');
    void el.call();
    await failed;
    expect(seen[0]).to.include({ destination: 'sales', captchaToken: 'solved-captcha-token' });
  });

  it('should show the visitor how long to wait when the endpoint is rate-limited', async () => {
    const el = await mount(refusingFetch([], 40));
    const failed = oneEvent(el, 'c2c-error');
    void el.call();
    await failed;
    await el.updateComplete;
    expect(el.snapshot.error).to.deep.equal({ code: 'rate-limited', message: 'Too many requests from your network.', retryAfter: 40 });
    expect(el.shadowRoot!.querySelector('[part~=error]')!.textContent).to.equal('Too many calls. Try again in 40 seconds.');
    await expect(el).to.be.accessible();
  });

  it('should say minutes for a long wait', async () => {
    const el = await mount(refusingFetch([], 600));
    const failed = oneEvent(el, 'c2c-error');
    void el.call();
    await failed;
    await el.updateComplete;
    expect(el.shadowRoot!.querySelector('[part~=error]')!.textContent).to.equal('Too many calls. Try again in 10 minutes.');
  });
});
