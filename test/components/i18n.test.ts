/**
 * Languages in Chromium, against the sandbox: `locale`, the page's `lang`, switching at
 * runtime, `<call-status>` following, a page's own language, and the Chinese of a real call,
 * a real failure and the callback form.
 */
import { expect, fixture, html, oneEvent, waitUntil } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { ifDefined } from 'lit/directives/if-defined.js';
import { registerMessages } from '../../src/index.ts';
import type { ClickToCall } from '../../src/elements/click-to-call.ts';
import type { CallStatus } from '../../src/elements/call-status.ts';
import { InvalidArgumentError } from '../../src/core/errors.ts';
import { endpoint, hostileEndpoint, scriptNextCall } from './sandbox.ts';

const part = (el: Element, name: string) => el.shadowRoot!.querySelector<HTMLElement>(`[part~="${name}"]`);
const text = (el: Element, name: string) => part(el, name)?.textContent?.trim();
const fetched = (name: RegExp) => performance.getEntriesByType('resource').some((entry) => name.test(entry.name));
const fetchedChinese = () => fetched(/zh-CN/);
const fetchedErrors = () => fetched(/i18n\/errors/);

async function mount(locale?: string, attrs: { destination?: string; endpoint?: string } = {}): Promise<{ el: ClickToCall; status: CallStatus }> {
  const url = attrs.endpoint ?? (await endpoint());
  const page = await fixture<HTMLDivElement>(html`<div>
    <click-to-call id="lc" locale=${ifDefined(locale)} endpoint=${url} destination=${attrs.destination ?? 'sales'}></click-to-call>
    <call-status for="lc"></call-status>
  </div>`);
  const el = page.querySelector('click-to-call')!;
  await el.updateComplete;
  const status = page.querySelector('call-status')!;
  await status.updateComplete;
  return { el, status };
}

describe('languages', () => {
  const pageLang = document.documentElement.lang;
  afterEach(() => {
    document.documentElement.lang = pageLang;
  });

  it('should show English without fetching another language on an English page', async () => {
    document.documentElement.lang = 'en-US';
    const { el } = await mount();
    expect(text(el, 'call-button')).to.equal('Call us');
    expect(part(el, 'base')!.lang).to.equal('en-US');
    expect(fetchedChinese(), 'the Chinese catalog was fetched').to.be.false;
  });

  it('should show Chinese with locale="zh-CN", in an accessible widget whose text says its language', async () => {
    const { el } = await mount('zh-CN');
    expect(fetchedChinese()).to.be.true;
    expect(text(el, 'call-button')).to.equal('联系我们');
    expect(text(el, 'settings-button')).to.equal('音频设置');
    expect(part(el, 'base')!.lang).to.equal('zh-CN');
    await expect(el).to.be.accessible();
  });

  for (const tag of ['zh', 'zh-Hans', 'zh-Hans-CN', 'zh_CN', 'zh-SG']) {
    it(`should read ${tag} as Simplified Chinese and send it to the contact center as given`, async () => {
      const { el } = await mount(tag);
      expect(text(el, 'call-button')).to.equal('联系我们');
      expect(part(el, 'base')!.lang).to.equal(tag.replace('_', '-'));
      expect(el.locale).to.equal(tag);
    });
  }

  it('should show English for Traditional Chinese (zh-TW), which has no catalog', async () => {
    const { el } = await mount('zh-TW');
    expect(text(el, 'call-button')).to.equal('Call us');
    expect(part(el, 'base')!.lang).to.equal('en');
  });

  it('should follow <html lang="zh-CN"> without a locale, and a change of it', async () => {
    document.documentElement.lang = 'zh-CN';
    const { el, status } = await mount();
    expect(text(el, 'call-button')).to.equal('联系我们');
    document.documentElement.lang = 'en';
    await waitUntil(() => text(el, 'call-button') === 'Call us', 'did not follow the page back to English');
    expect(part(status, 'base')!.lang).to.equal('en');
  });

  it('should prefer the nearest lang attribute over <html lang>', async () => {
    document.documentElement.lang = 'en';
    const page = await fixture<HTMLDivElement>(html`<div lang="zh-CN"><click-to-call endpoint="/c2c" destination="sales"></click-to-call></div>`);
    const el = page.querySelector('click-to-call')!;
    await el.updateComplete;
    expect(text(el, 'call-button')).to.equal('联系我们');
  });

  it('should switch language when locale changes, with <call-status> following', async () => {
    await scriptNextCall({ outcome: 'hold', queueMs: 50 });
    const { el, status } = await mount('en');
    void el.call();
    await waitUntil(() => el.state === 'queued', 'never queued', { timeout: 8000 });
    await status.updateComplete;
    expect(text(status, 'label')).to.equal('Waiting for an agent…');
    expect(text(status, 'queue-time')).to.match(/^In queue \d:\d\d$/);
    el.locale = 'zh-CN';
    await el.updateComplete;
    expect(text(el, 'status')).to.equal('正在等待客服接听…');
    expect(text(el, 'hangup-button')).to.equal('挂断');
    await waitUntil(() => text(status, 'label') === '正在等待客服接听…', 'call-status did not follow');
    expect(text(status, 'queue-time')).to.match(/^已排队 \d:\d\d$/);
    expect(part(status, 'base')!.lang).to.equal('zh-CN');
    el.locale = 'en-GB';
    await el.updateComplete;
    expect(text(el, 'hangup-button')).to.equal('Hang up');
    await el.hangup();
  });

  it('should speak Chinese during a real call: states, controls and the timer', async () => {
    await scriptNextCall({ outcome: 'connect', queueMs: 100 });
    const { el, status } = await mount('zh-CN');
    const connected = oneEvent(el, 'c2c-connected');
    part(el, 'call-button')!.click();
    await connected;
    await el.updateComplete;
    expect(text(el, 'status')).to.equal('已接通');
    expect(text(el, 'mute-button')).to.equal('静音');
    expect(text(el, 'keypad-button')).to.equal('拨号键盘');
    expect(text(el, 'hangup-button')).to.equal('挂断');
    expect(part(el, 'timer')!.getAttribute('aria-label')).to.equal('通话时长');
    expect(text(el, 'timer')).to.match(/^\d:\d\d$/);
    await status.updateComplete;
    expect(text(status, 'label')).to.equal('已接通');
    el.setMuted(true);
    await el.updateComplete;
    expect(text(el, 'mute-button')).to.equal('取消静音');
    await expect(el).to.be.accessible();
    const ended = oneEvent(el, 'c2c-ended');
    await el.hangup();
    await ended;
    await el.updateComplete;
    await status.updateComplete;
    expect(text(el, 'call-button')).to.equal('再次呼叫');
    expect(text(status, 'label')).to.equal('通话已结束');
    expect(text(status, 'elapsed')).to.match(/^通话时长 \d:\d\d$/);
    expect(fetchedErrors(), 'a call that went well fetched the error sentences').to.be.false;
  });

  it('should explain a real failure (no agent) in Chinese, keeping the developer message in the snapshot', async () => {
    await scriptNextCall({ createResult: '13' });
    const { el, status } = await mount('zh-CN');
    const failed = oneEvent(el, 'c2c-error');
    void el.call();
    await failed;
    await el.updateComplete;
    await status.updateComplete;
    expect(el.snapshot.error!.code).to.equal('no-agent-available');
    expect(fetchedErrors()).to.be.true;
    expect(el.snapshot.error!.message).to.match(/No agent is available/);
    expect(text(el, 'error')).to.equal('目前没有客服可以接听您的电话。');
    expect(text(status, 'error')).to.equal('目前没有客服可以接听您的电话。');
    expect(text(status, 'label')).to.equal('呼叫失败');
    expect(text(el, 'call-button')).to.equal('再次呼叫');
    await expect(el).to.be.accessible();
  });

  it('should give the wait of a rate limit in Chinese units', async () => {
    const url = await hostileEndpoint({ session: { status: 429, body: { error: { code: 'rate-limited', message: 'Slow down.', retryAfter: 40 } } } });
    const { el } = await mount('zh-CN', { endpoint: url });
    const failed = oneEvent(el, 'c2c-error');
    void el.call();
    await failed;
    await el.updateComplete;
    expect(text(el, 'error')).to.equal('呼叫次数过多，请在40秒钟后重试。');
  });

  it('should show the endpoint\'s own text, as text, for an unknown error code', async () => {
    const url = await hostileEndpoint({ events: { status: 200, body: { events: [{ id: '1', type: 'failed', code: 'site-specific', message: '<b>Closed</b> today' }] } } });
    const { el, status } = await mount('zh-CN', { endpoint: url });
    const failed = oneEvent(el, 'c2c-error');
    void el.call();
    await failed;
    await el.updateComplete;
    await status.updateComplete;
    expect(text(el, 'error')).to.equal('<b>Closed</b> today');
    expect(part(el, 'error')!.children.length).to.equal(0);
    expect(text(status, 'error')).to.equal('<b>Closed</b> today');
  });

  it('should use a language the page registers, in English where it says nothing, with single strings overridden', async () => {
    registerMessages('fr', { call: 'Appelez-nous', idle: 'Prêt' });
    const { el } = await mount('fr-CA');
    expect(text(el, 'call-button')).to.equal('Appelez-nous');
    expect(text(el, 'settings-button')).to.equal('Audio settings');
    expect(part(el, 'base')!.lang).to.equal('fr-CA');
    // More of the language later: elements on the page render again.
    registerMessages('fr', () => Promise.resolve({ default: { audioSettings: 'Réglages audio' } }));
    await waitUntil(() => text(el, 'settings-button') === 'Réglages audio', 'a loaded catalog was not used');
    expect(text(el, 'call-button')).to.equal('Appelez-nous');
    el.messages = { call: 'Parler à un conseiller' };
    await el.updateComplete;
    expect(text(el, 'call-button')).to.equal('Parler à un conseiller');
    expect(() => registerMessages('not a tag!', {})).to.throw(InvalidArgumentError);
    expect(() => registerMessages('de', null as never)).to.throw(InvalidArgumentError);
  });

  it('should show the callback form in Chinese: labels, countries, buttons and the number check', async () => {
    const el = await fixture<ClickToCall>(
      html`<click-to-call mode="callback" locale="zh-CN" endpoint=${await endpoint()} destination="callback-ccai"></click-to-call>`,
    );
    await waitUntil(() => el.shadowRoot!.querySelectorAll('[part~=country] option').length > 100, 'country list not loaded');
    expect(el.shadowRoot!.querySelector('label[for=phone]')!.textContent).to.equal('您的电话号码');
    const country = part(el, 'country') as HTMLSelectElement;
    expect(country.getAttribute('aria-label')).to.equal('国家/地区');
    expect(country.value).to.equal('CN');
    expect(country.selectedOptions[0]!.textContent).to.equal('中国（+86）');
    expect(text(el, 'call-button')).to.equal('立即给我回电');
    (part(el, 'phone-input') as HTMLInputElement).focus();
    await sendKeys({ type: '12' });
    await sendKeys({ press: 'Enter' });
    await waitUntil(() => part(el, 'phone-error') !== null, 'no error shown');
    expect(text(el, 'phone-error')).to.equal('这个号码与所选国家/地区不符。');
    // The refusal follows a change of language.
    el.locale = 'en';
    await el.updateComplete;
    expect(text(el, 'phone-error')).to.equal('This number does not look right for the chosen country.');
    expect(country.selectedOptions[0]!.textContent).to.equal('China (+86)');
    await expect(el).to.be.accessible();
  });
});
