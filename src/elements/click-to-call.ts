import { provide } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import { CallSession, type CallSessionOptions } from '../core/session.ts';
import type { CallSnapshot } from '../core/snapshot.ts';
import { CallState, isFinal, isLive } from '../core/states.ts';
import { C2CEvent, callStartEvent, qualityWarningEvent, snapshotEvent } from '../events/index.ts';
import type { CallMode } from '../protocol/index.ts';
import { ClockController } from './clock.ts';
import { styles } from './click-to-call.styles.ts';
import { adoptMore } from './adopt.ts';
import { callSessionContext } from './context.ts';
import { Localizer, refreshAll, type PartialMessages } from '../i18n/index.ts';
import type { AudioSettings } from './devices.ts';
import type { ReadinessReport } from './readiness.ts';

type CallbackForm = import('./phone.ts').CallbackForm;
/** How the widget lays itself out: see the `layout` attribute. */
export type Layout = 'inline' | 'compact' | 'floating';
// The audio settings (with the level meter, the blocked-audio prompt and, in a further chunk,
// the pre-call check) are loaded when first needed.
const loadDevices = () => import('./devices.ts');
type LayoutsModule = typeof import('./layouts.ts');
let layouts: Promise<LayoutsModule> | undefined;

/**
 * A call button for a contact center. The page names a token endpoint and a destination key;
 * the endpoint holds every secret and decides what is dialed.
 *
 * @summary Click to talk to a contact center, in the browser (WebRTC) or by callback.
 *
 * @slot - Content shown under the controls, such as a nested `<call-status>`.
 * @slot label - The call button's text (default "Call us"); in the compact and floating layouts it
 *   is visually hidden and names the icon button.
 * @slot icon - The call button's icon (default a handset; hidden in the inline layout unless slotted),
 *   also on the floating layout's round button during a call.
 * @slot hangup-icon - The hang-up button's icon.
 * @slot mute-icon - The mute button's icon.
 * @slot keypad-icon - The keypad button's icon.
 * @slot settings-icon - The audio-settings button's icon.
 *
 * @event {CustomEvent<CallStartDetail>} c2c-call-start - Before any request; cancel it to stop the call.
 * @event {CustomEvent<CallSnapshot>} c2c-state-change - After every change of `state`; detail is the new snapshot.
 * @event {CustomEvent<CallSnapshot>} c2c-connected - The visitor and the agent can talk.
 * @event {CustomEvent<CallSnapshot>} c2c-ended - The call is over (ended, scheduled or failed).
 * @event {CustomEvent<CallSnapshot>} c2c-error - The call failed; `detail.error` has the code and message.
 * @event {CustomEvent<QualityWarningDetail>} c2c-quality-warning - A call-quality warning was raised or cleared (`detail.warning`, `detail.active`).
 *
 * @csspart base - The wrapper of everything.
 * @csspart call-button - The button that starts a call.
 * @csspart controls - The in-call controls.
 * @csspart status - The state text during a call.
 * @csspart timer - The elapsed time.
 * @csspart mute-button - The mute toggle.
 * @csspart hangup-button - The hang-up button.
 * @csspart keypad-button - WebRTC calls: shows or hides the keypad.
 * @csspart keypad - The keypad (digits sent as RFC 4733 events, SIP INFO where that fails).
 * @csspart key - One key of the keypad.
 * @csspart level - WebRTC calls, in the audio settings: the microphone level (a `<meter>`, 0-100; 0 while muted).
 * @csspart enable-audio - Shown when the browser blocked the agent's audio: a tap plays it.
 * @csspart audio-note - The sentence next to `enable-audio`.
 * @csspart test-audio-button - In the audio settings before a call: runs the pre-call check (`checkReadiness()`).
 * @csspart settings-button - Shows or hides the audio settings.
 * @csspart settings - The audio settings: microphone and speaker lists.
 * @csspart device-label - The label of a device list.
 * @csspart microphone-select - The microphone list.
 * @csspart speaker-select - The speaker list (only where the browser can choose the output device).
 * @csspart settings-note - A note in the audio settings (device names appear after permission).
 * @csspart device-error - Why a microphone or speaker could not be used; the call goes on.
 * @csspart readiness - In the audio settings: the result of "Test my audio", a polite live region.
 * @csspart readiness-summary - The one-line verdict of the test.
 * @csspart readiness-list - The list of checks.
 * @csspart readiness-check - One check, with `data-name` and `data-status` (`pass`, `fail`, `skip`).
 * @csspart error - The failure message.
 * @csspart callback-form - Callback mode: the form asking for the visitor's number.
 * @csspart phone-label - Callback mode: the label of the number field.
 * @csspart phone-row - Callback mode: the country list and the number field.
 * @csspart country - Callback mode: the country list.
 * @csspart phone-input - Callback mode: the number field.
 * @csspart phone-error - Callback mode: why the number was not accepted.
 * @csspart slot-label - Callback mode: the label of the time list.
 * @csspart slot - Callback mode: "Now" or a time to book, where the destination books calls.
 * @csspart icon - The default icon of a button (an `<svg>` filled with currentColor).
 * @csspart panel-button - Floating layout, during a call: the round button that shows or hides the panel.
 * @csspart panel - Floating layout, during a call: the card holding the call's controls.
 *
 * Colour defaults are `light-dark()` pairs: the dark one applies where the element's inherited
 * `color-scheme` is dark (a page with `color-scheme: light dark` and a visitor who prefers dark;
 * see docs/theming.md).
 *
 * @cssproperty [--c2c-accent=light-dark(#0b6bcb, #8ab4f8)] - Background of the call button and the floating button; the focus ring.
 * @cssproperty [--c2c-on-accent=light-dark(#ffffff, #062e6f)] - Text and icon color on the accent.
 * @cssproperty [--c2c-danger=light-dark(#b3261e, #f2b8b5)] - Background of the hang-up button; color of error text.
 * @cssproperty [--c2c-on-danger=light-dark(#ffffff, #601410)] - Text and icon color on the hang-up button.
 * @cssproperty [--c2c-secondary-bg=light-dark(#e8eaed, #3c4043)] - Background of the mute, keypad, settings and key buttons (text color when muted).
 * @cssproperty [--c2c-secondary-fg=light-dark(#1f1f1f, #e8eaed)] - Text color of those buttons (background when muted).
 * @cssproperty [--c2c-surface=light-dark(#ffffff, #1f1f1f)] - Floating layout: background of the panel and its cards.
 * @cssproperty [--c2c-text=light-dark(#1f1f1f, #e8eaed)] - Floating layout: text color on the surface (elsewhere the page's color is inherited).
 * @cssproperty [--c2c-border=light-dark(#767676, #8e918f)] - Border of the number field and the lists.
 * @cssproperty [--c2c-focus-ring=var(--c2c-accent)] - Color of the 3 px focus outline.
 * @cssproperty [--c2c-radius=999px] - Corner radius of the buttons.
 * @cssproperty [--c2c-field-radius=8px] - Corner radius of fields, keys and the floating cards.
 * @cssproperty [--c2c-target-size=44px] - Minimum height and width of buttons and fields (36px in the compact layout; keep at least 24px).
 * @cssproperty [--c2c-gap=0.5em] - Space between the pieces.
 * @cssproperty [--c2c-font=inherit] - Font of the widget.
 * @cssproperty [--c2c-float-bottom=1.5rem] - Floating layout: distance from the bottom of the viewport.
 * @cssproperty [--c2c-float-right=1.5rem] - Floating layout: distance from the right (set `auto` and use `--c2c-float-left` for the left corner).
 * @cssproperty [--c2c-float-left=auto] - Floating layout: distance from the left.
 * @cssproperty [--c2c-float-size=56px] - Floating layout: size of the round button.
 * @cssproperty [--c2c-z-index=1000] - Floating layout: stacking order.
 * @cssproperty [--c2c-shadow=0 2px 8px #0006] - Floating layout: shadow of the round button and the cards.
 */
export class ClickToCall extends LitElement {
  static override styles = styles;

  /** URL of the site's token endpoint (absolute, or relative to the page). Required. */
  @property() endpoint = '';

  /** A key the token endpoint maps to a queue or access code; the page never picks a number. */
  @property() destination = '';

  /** `webrtc` or `callback`, when the destination offers both; the endpoint decides otherwise. */
  @property() mode: CallMode | undefined = undefined;

  /**
   * Language for the contact center and the widget, such as `en` or `zh-CN`. Without it the
   * widget reads the page's `lang` (see docs/i18n.md). Sent to the contact center as given.
   */
  @property() locale: string | undefined = undefined;

  /**
   * Replaces some of the widget's texts, by message key (`{ call: 'Talk to sales' }`), in
   * every language; see docs/i18n.md for the keys. Followed by a nested or linked `<call-status>`.
   */
  @property({ attribute: false }) messages: PartialMessages | undefined = undefined;

  /** Disables the call button. A call in progress is not affected. */
  @property({ type: Boolean, reflect: true }) disabled = false;

  /**
   * Callback mode: the visitor's number. The built-in form fills it; a page with its own form
   * may set it (any format the visitor typed; E.164 is safest) before `call()`.
   */
  @property({ attribute: false }) phone = '';

  /**
   * The token of the page's CAPTCHA (Turnstile, hCaptcha, reCAPTCHA), when the token endpoint
   * asks for one: set it when the CAPTCHA is solved, or in a `c2c-call-start` listener. It is
   * sent with the session request; such tokens are single-use, so reset the CAPTCHA after a call.
   */
  @property({ attribute: false }) captchaToken = '';

  /**
   * Logs each step of a call to the console (`[c2c]` lines: requests, events, SIP and ICE,
   * states), never a token, credential or whole phone number. For setting a site up; may be
   * turned on and off during a call.
   */
  @property({ type: Boolean }) debug = false;

  /**
   * `inline` (default): text buttons in the page's flow. `compact`: small icon buttons, each
   * still named by its text for assistive technology. `floating`: a round call button fixed in
   * a corner of the viewport; during a call it opens a panel with the controls (Escape or the
   * round button closes it; the call goes on).
   */
  @property({ reflect: true }) layout: Layout = 'inline';

  /** The current call state, reflected for styling (`click-to-call[state=connected]`). Read-only. */
  @property({ reflect: true }) state: CallState = CallState.Idle;

  @provide({ context: callSessionContext })
  protected session: CallSession;

  readonly #clock = new ClockController(this, () => isLive(this.snapshot.state));
  readonly #i18n = new Localizer(this, () => this);
  @state() private keypadOpen = false;
  // Controllers from the lazily loaded chunks, made on first use.
  #settings: AudioSettings | null = null;
  /** Callback mode: the form, from the number library's chunk. */
  #callbackLoad: Promise<CallbackForm> | null = null;
  #callback: CallbackForm | null = null;
  #unsubscribe: (() => void) | null = null;
  #debugOff: ((quiet?: boolean) => void) | undefined;
  /** Made when the compact and floating layouts' chunk (styles, icons, panel) is in. */
  #panel: InstanceType<LayoutsModule['FloatingPanel']> | null = null;

  constructor(options: CallSessionOptions = {}) {
    super();
    this.session = new CallSession(options);
  }

  /** Everything known about the current or last call. Read-only; replaced on every change. */
  get snapshot(): CallSnapshot {
    return this.session.snapshot;
  }

  /**
   * Starts a call, as a click on the button does (the `c2c-call-start` event may cancel it).
   * Resolves when the call is connected, booked or over; failures are in `snapshot.error`.
   */
  async call(): Promise<void> {
    if (isLive(this.snapshot.state)) return;
    let callback = {};
    if (this.mode === 'callback') {
      const target = await (await this.#loadCallback()).target();
      if (!target) return;
      callback = target;
    }
    const proceed = this.dispatchEvent(callStartEvent({ destination: this.destination, mode: this.mode ?? null }));
    if (!proceed) return;
    await this.session.call({
      endpoint: this.endpoint,
      destination: this.destination,
      mode: this.mode,
      locale: this.#locale(),
      captchaToken: this.captchaToken,
      ...callback,
    });
  }

  #locale(): string | undefined {
    return this.locale ?? (document.documentElement.lang || undefined);
  }

  /** The callback form, with the number library: only ever loaded in callback mode. */
  #loadCallback(): Promise<CallbackForm> {
    this.#callbackLoad ??= import('./phone.ts').then((module) => {
      // Adopted from here, so adopt.ts stays in the first script, not a chunk of its own.
      adoptMore(this, module.STYLES);
      return (this.#callback = new module.CallbackForm(this, this.#locale()));
    });
    this.#callbackLoad.catch(() => (this.#callbackLoad = null));
    return this.#callbackLoad;
  }

  /**
   * Calls `listener` with every new snapshot (state, quality once a second, mute...);
   * returns the function that stops it. For frameworks that keep their own state.
   */
  subscribe(listener: (snapshot: CallSnapshot) => void): () => void {
    return this.session.subscribe((snapshot) => listener(snapshot));
  }

  /** Ends the call. Resolves when the call is `ended`. */
  hangup(): Promise<void> {
    return this.session.hangup();
  }

  /** Mutes (true) or unmutes (false) the visitor's microphone. */
  setMuted(muted: boolean): void {
    this.session.setMuted(muted);
  }

  /** Sends DTMF digits (0-9, A-D, *, #) during a connected WebRTC call. */
  sendDtmf(digits: string): void {
    this.session.sendDtmf(digits);
  }

  /**
   * Uses this microphone (a `deviceId` from `enumerateDevices()`, or null for the browser's
   * default) for this call and later ones; a live call keeps going on the new one. A refusal
   * is shown to the visitor (part `device-error`) and rejects; the call goes on as it was.
   */
  setMicrophone(deviceId: string | null): Promise<void> {
    return this.#useDevice(this.session.setMicrophone(deviceId));
  }

  /**
   * Plays the call through this output device (`deviceId`, or null for the default), now and
   * for later calls. Rejects, with the reason shown to the visitor, where the browser cannot
   * choose the output device or the device is gone; the call goes on as it was.
   */
  setSpeaker(deviceId: string | null): Promise<void> {
    return this.#useDevice(this.session.setSpeaker(deviceId));
  }

  #useDevice(change: Promise<void>): Promise<void> {
    // Handled by the settings once their chunk is in: not an unhandled rejection meanwhile.
    change.catch(() => undefined);
    return this.#withSettings((settings) => settings.use(change));
  }

  /** The audio settings controller (its chunk loaded on first use). */
  #withSettings<T>(use: (settings: AudioSettings) => T | Promise<T>): Promise<T> {
    return loadDevices().then((module) => use((this.#settings ??= new module.AudioSettings(this, this.session, this.#i18n.t))));
  }

  /** Plays the agent's audio after the browser blocked it (`snapshot.audioBlocked`); call it from a tap. */
  resumeAudio(): Promise<void> {
    return this.session.resumeAudio();
  }

  /**
   * The pre-call check, also run by the "Test my audio" button: WebRTC support, microphone
   * permission, a microphone, a signal that is not silence (about 1 s), the token endpoint and
   * the gateway. Callback destinations skip the audio checks. Never rejects for a failed
   * check: read `report.ok` and each check's `status`, `code` and `message`. Rejects with
   * InvalidArgumentError without `endpoint` or `destination`.
   */
  checkReadiness(): Promise<ReadinessReport> {
    return this.#withSettings((settings) => settings.checkReadiness());
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.#unsubscribe) {
      const offSnapshot = this.session.subscribe((next, previous) => this.#onSnapshot(next, previous));
      const offWarning = this.session.onQualityWarning((warning, active) =>
        this.dispatchEvent(qualityWarningEvent({ warning, active, snapshot: this.snapshot })),
      );
      this.#unsubscribe = () => {
        offSnapshot();
        offWarning();
      };
    }
    this.addEventListener('pointerenter', this.#prefetch);
    this.addEventListener('focusin', this.#prefetch);
    this.addEventListener('touchstart', this.#prefetch, { passive: true });
    window.addEventListener('pagehide', this.#onPageHide);
    if (this.debug && !this.#debugOff && this.hasUpdated) this.#syncDebug();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('pointerenter', this.#prefetch);
    this.removeEventListener('focusin', this.#prefetch);
    this.removeEventListener('touchstart', this.#prefetch);
    window.removeEventListener('pagehide', this.#onPageHide);
    // A move within the page reconnects at once; only a real removal ends the call.
    queueMicrotask(() => {
      if (this.isConnected) return;
      this.session.dispose();
      this.#unsubscribe?.();
      this.#unsubscribe = null;
      this.#syncDebug();
    });
  }

  /** Renders only once the language's catalog (and, after a failure, the error sentences) is in. */
  protected override scheduleUpdate(): void | Promise<unknown> {
    return this.#i18n.ready(this.snapshot.state, () => super.scheduleUpdate());
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // `state` mirrors the snapshot; a page writing it does not change the call.
    if (changed.has('state') && this.state !== this.snapshot.state) this.state = this.snapshot.state;
    if (this.layout !== 'inline' && !this.#panel) {
      (layouts ??= import('./layouts.ts')).then(
        (module) => (this.#panel ??= module.attach(this)),
        () => (layouts = undefined),
      );
    }
    // A `<call-status>` following this element speaks its language.
    if (this.hasUpdated && (changed.has('locale') || changed.has('messages'))) refreshAll();
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (changed.has('debug')) this.#syncDebug();
  }

  /** Logging follows `debug` while the element is in the page; a removed widget logs nothing. */
  #syncDebug(): void {
    // Said only when the page turns it off, not when the widget is removed.
    this.#debugOff?.(!this.isConnected);
    this.#debugOff = undefined;
    // The logging code is a chunk of its own, fetched only for a page that asks for it.
    if (this.debug && this.isConnected) {
      void import('./debug.ts').then((m) => this.debug && this.isConnected && !this.#debugOff && (this.#debugOff = m.attach(this, this.session)));
    }
  }

  #prefetch = (): void => {
    if (this.disabled) return;
    const target = { endpoint: this.endpoint, destination: this.destination, mode: this.mode, locale: this.#locale(), captchaToken: this.captchaToken };
    this.session.prefetch(this.mode, target).catch(() => undefined);
    if (this.mode === 'callback') this.#loadCallback().catch(() => undefined);
  };

  protected override firstUpdated(): void {
    if (this.mode === 'callback') this.#loadCallback().catch(() => undefined);
  }

  #onPageHide = (event: PageTransitionEvent): void => {
    if (!event.persisted) this.session.dispose();
  };

  #onSnapshot(next: CallSnapshot, previous: CallSnapshot): void {
    this.state = next.state;
    this.requestUpdate();
    // The "Tap to enable audio" prompt lives with the audio settings (rarely needed).
    if (next.audioBlocked) void this.#withSettings(() => undefined);
    if (next.state === previous.state) return;
    if (next.state !== CallState.Connected) this.keypadOpen = false;
    if (isLive(next.state) && !isLive(previous.state) && this.#panel) this.#panel.open = true;
    this.dispatchEvent(snapshotEvent(C2CEvent.StateChange, next));
    // The call button is replaced by the controls: keep keyboard users on the widget.
    if (isLive(next.state) && !isLive(previous.state)) this.#keepFocus('hangup-button');
    if (next.state === CallState.Connected && previous.state !== CallState.Reconnecting) {
      this.dispatchEvent(snapshotEvent(C2CEvent.Connected, next));
    }
    if (isFinal(next.state)) {
      if (next.state === CallState.Failed) this.dispatchEvent(snapshotEvent(C2CEvent.Error, next));
      this.dispatchEvent(snapshotEvent(C2CEvent.Ended, next));
      this.#keepFocus('call-button');
    }
  }

  /** When focus is in the widget, moves it to `part` once rendered (the focused control may go). */
  #keepFocus(part: string): void {
    if (this.shadowRoot?.activeElement == null) return;
    void this.updateComplete.then(() => this.shadowRoot?.querySelector<HTMLElement>(`[part~=${part}]`)?.focus());
  }

  #toggleSettings = (): void => {
    void this.#withSettings((settings) => settings.toggle());
  };

  #settingsButton() {
    return html`<button
      part="settings-button"
      type="button"
      aria-expanded=${this.#settings?.open ? 'true' : 'false'}
      aria-controls="settings"
      @click=${this.#toggleSettings}
    >
      <slot name="settings-icon">${this.#panel?.icons.sliders}</slot><span class="t">${this.#i18n.t('audioSettings')}</span>
    </button>`;
  }


  #onCallClick = (): void => {
    void this.call();
  };

  #onHangupClick = (): void => {
    void this.hangup();
  };

  #onMuteClick = (): void => {
    this.setMuted(!this.snapshot.muted);
  };

  protected override render() {
    const s = this.snapshot;
    const live = isLive(s.state);
    // The one live region of the widget (a nested or following <call-status> has none): it
    // changes only with the state, so each state is announced once, never a ticking timer.
    return html`<div part="base" lang=${this.#i18n.lang}>
      <div class="vh" role="status">${this.#announcement(s)}</div>
      ${!live ? this.#renderIdle(s) : this.#panel && this.layout === 'floating' ? this.#panel.render(this.#renderLive(s), this.#i18n.t('callControls')) : this.#renderLive(s)}
      <slot></slot>
    </div>`;
  }

  /** Shown, not announced: the live region above already says it. */
  #error(s: CallSnapshot) {
    const e = s.state === CallState.Failed && s.error;
    return e ? html`<p part="error">${this.#i18n.error(e)}</p>` : nothing;
  }

  /** What the live region says for `s`: the state, with the reason of a failure or the booked time. */
  #announcement(s: CallSnapshot): string {
    const i18n = this.#i18n;
    if (s.state === CallState.Idle) return '';
    if (s.state === CallState.Failed && s.error) return i18n.t('failedBecause', { reason: i18n.error(s.error) });
    if (s.state === CallState.Scheduled && s.scheduledAt) return i18n.t('bookedFor', { time: i18n.dateTime(s.scheduledAt) });
    return i18n.t(s.state);
  }

  #onKeypadKey = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape') return;
    event.stopPropagation();
    this.keypadOpen = false;
    this.#keepFocus('keypad-button');
  };

  #renderIdle(s: CallSnapshot) {
    if (this.mode === 'callback') return this.#renderCallbackForm(s);
    const again = isFinal(s.state);
    return html`
      ${this.#error(s)}
      <button
        part="call-button"
        type="button"
        ?disabled=${this.disabled || !this.endpoint || !this.destination}
        @click=${this.#onCallClick}
      >
        <slot name="icon">${this.#panel?.icons.phone}</slot><span class="t"><slot name="label">${this.#i18n.t(again ? 'callAgain' : 'call')}</slot></span>
      </button>
      ${this.layout === 'floating' ? nothing : html`${this.#settingsButton()} ${this.#settings?.render() ?? nothing}`}
    `;
  }

  #renderCallbackForm(s: CallSnapshot) {
    const notice = html`${this.#error(s)}
    ${s.state === CallState.Scheduled && s.scheduledAt
      ? html`<p part="status">${this.#i18n.t('bookedFor', { time: this.#i18n.dateTime(s.scheduledAt) })}</p>`
      : nothing}`;
    // The form lives in the callback chunk with the number checks; it arrives in a moment.
    return html`${notice}${this.#callback?.render(this.#i18n.t, this.#i18n.lang, this.#panel?.icons.phone) ?? html`<p part="status">${this.#i18n.t('loading')}</p>`}`;
  }

  #renderLive(s: CallSnapshot) {
    const since = s.connectedAt ?? s.queuedAt;
    const canMute = s.mode !== 'callback';
    return html`${this.#settings?.renderPrompt() ?? nothing}
    <div part="controls">
      <span part="status">${this.#i18n.t(s.state)}</span>
      ${since !== null
        ? html`<span part="timer" role="timer" aria-label=${this.#i18n.t('elapsedTime')}>${this.#i18n.duration(this.#clock.now - since)}</span>`
        : nothing}
      ${canMute
        ? html`<button
            part="mute-button"
            type="button"
            aria-pressed=${s.muted ? 'true' : 'false'}
            @click=${this.#onMuteClick}
          >
            <slot name="mute-icon">${this.#panel?.icons.mic}</slot><span class="t">${this.#i18n.t(s.muted ? 'unmute' : 'mute')}</span>
          </button>`
        : nothing}
      ${canMute && s.state === CallState.Connected
        ? html`<button
            part="keypad-button"
            type="button"
            aria-expanded=${this.keypadOpen ? 'true' : 'false'}
            aria-controls="keypad"
            @click=${() => (this.keypadOpen = !this.keypadOpen)}
          >
            <slot name="keypad-icon">${this.#panel?.icons.keypad}</slot><span class="t">${this.#i18n.t('keypad')}</span>
          </button>`
        : nothing}
      ${canMute ? this.#settingsButton() : nothing}
      <button part="hangup-button" type="button" @click=${this.#onHangupClick}>
        <slot name="hangup-icon">${this.#panel?.icons.phone}</slot><span class="t">${this.#i18n.t('hangUp')}</span>
      </button>
    </div>
    ${canMute ? (this.#settings?.render() ?? nothing) : nothing}
    ${canMute && s.state === CallState.Connected && this.keypadOpen
      ? html`<div id="keypad" part="keypad" role="group" aria-label=${this.#i18n.t('keypad')} @keydown=${this.#onKeypadKey}>
          ${KEYS.map((key) => html`<button type="button" part="key" @click=${() => this.sendDtmf(key)}>${key}</button>`)}
        </div>`
      : nothing}`;
  }
}

/** The phone keypad, in its usual order. */
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

// Defined here rather than with @customElement: a class decorator makes esbuild turn every
// #private member into WeakMap helpers (about 200 B gzip more in the first script).
customElements.define('click-to-call', ClickToCall);

declare global {
  interface HTMLElementTagNameMap {
    'click-to-call': ClickToCall;
  }
}
