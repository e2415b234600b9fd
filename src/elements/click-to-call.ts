import { provide } from '@lit/context';
import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import { CallSession, type CallSessionOptions } from '../core/session.ts';
import type { CallSnapshot } from '../core/snapshot.ts';
import { CallState, isFinal, isLive } from '../core/states.ts';
import { C2CEvent, callStartEvent, qualityWarningEvent, snapshotEvent } from '../events/index.ts';
import type { CallMode } from '../protocol/index.ts';
import { ClockController } from './clock.ts';
import { callSessionContext } from './context.ts';
import { Localizer, refreshAll, type PartialMessages } from '../i18n/index.ts';
import type { AudioSettings } from './devices.ts';
import type { ReadinessReport } from './readiness.ts';

type PhoneModule = typeof import('./phone.ts');
type PhoneReason = Extract<ReturnType<PhoneModule['toE164']>, { ok: false }>['reason'];
const loadPhoneModule = (): Promise<PhoneModule> => import('./phone.ts');
// The audio settings (with the level meter, the blocked-audio prompt and, in a further chunk,
// the pre-call check) are loaded when first needed.
const loadDevices = () => import('./devices.ts');

/**
 * A call button for a contact center. The page names a token endpoint and a destination key;
 * the endpoint holds every secret and decides what is dialed.
 *
 * @summary Click to talk to a contact center, in the browser (WebRTC) or by callback.
 *
 * @slot - Content shown under the controls, such as a nested `<call-status>`.
 * @slot label - The call button's text (default "Call us").
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
 *
 * @cssproperty [--c2c-accent=#0b6bcb] - Background of the call button.
 * @cssproperty [--c2c-on-accent=#ffffff] - Text color on the call button.
 * @cssproperty [--c2c-danger=#b3261e] - Background of the hang-up button.
 * @cssproperty [--c2c-radius=999px] - Corner radius of the buttons.
 * @cssproperty [--c2c-font=inherit] - Font of the widget.
 */
@customElement('click-to-call')
export class ClickToCall extends LitElement {
  static override styles = css`
    :host {
      display: inline-block;
      font: var(--c2c-font, inherit);
    }
    :host([hidden]) {
      display: none;
    }
    [part='base'] {
      display: inline-flex;
      flex-direction: column;
      gap: 0.5em;
    }
    button {
      font: inherit;
      cursor: pointer;
      border: 0;
      border-radius: var(--c2c-radius, 999px);
      padding: 0.6em 1.2em;
      min-height: 44px;
    }
    button:focus-visible {
      outline: 3px solid var(--c2c-accent, #0b6bcb);
      outline-offset: 2px;
    }
    button:disabled {
      cursor: not-allowed;
      opacity: 0.6;
    }
    [part~='call-button'],
    [part~='enable-audio'] {
      background: var(--c2c-accent, #0b6bcb);
      color: var(--c2c-on-accent, #ffffff);
    }
    [part~='hangup-button'] {
      background: var(--c2c-danger, #b3261e);
      color: #ffffff;
    }
    [part~='mute-button'],
    [part~='settings-button'] {
      background: #e8eaed;
      color: #1f1f1f;
    }
    [part~='mute-button'][aria-pressed='true'] {
      background: #1f1f1f;
      color: #ffffff;
    }
    [part='keypad'] {
      display: grid;
      grid-template-columns: repeat(3, 3.2em);
      gap: 0.3em;
    }
    [part='key'] {
      padding: 0;
      background: #e8eaed;
      color: #1f1f1f;
      border-radius: 8px;
    }
    [part='controls'] {
      display: flex;
      align-items: center;
      gap: 0.5em;
      flex-wrap: wrap;
    }
    [part='error'],
    [part='audio-note'],
    [part='device-error'],
    [part='phone-error'] {
      color: var(--c2c-danger, #b3261e);
      margin: 0;
    }
    [part='callback-form'] {
      display: grid;
      gap: 0.4em;
    }
    [part='phone-row'] {
      display: flex;
      gap: 0.4em;
    }
    select,
    input {
      font: inherit;
      min-height: 44px;
      padding: 0 0.6em;
      border: 1px solid #767676;
      border-radius: 8px;
      background: Field;
      color: FieldText;
    }
    select {
      max-width: 11em;
    }
    input[aria-invalid='true'] {
      border-color: var(--c2c-danger, #b3261e);
    }
    select:focus-visible,
    input:focus-visible {
      outline: 3px solid var(--c2c-accent, #0b6bcb);
      outline-offset: 1px;
    }
  `;

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

  /** The current call state, reflected for styling (`click-to-call[state=connected]`). Read-only. */
  @property({ reflect: true }) state: CallState = CallState.Idle;

  @provide({ context: callSessionContext })
  protected session: CallSession;

  readonly #clock = new ClockController(this, () => isLive(this.snapshot.state));
  readonly #i18n = new Localizer(this, () => this);
  @state() private country = '';
  /** Why the number was refused (a message key), or ''. */
  @state() private phoneError: PhoneReason | '' = '';
  /** Callback mode: bookable times offered by the destination, and the one picked ('' = now). */
  @state() private slots: readonly string[] = [];
  @state() private bookAt = '';
  @state() private keypadOpen = false;
  // Controllers from the lazily loaded chunks, made on first use.
  #settings: AudioSettings | null = null;
  #phoneModule: Promise<PhoneModule> | null = null;
  #phone: PhoneModule | null = null;
  #unsubscribe: (() => void) | null = null;

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
    let phone: string | undefined;
    if (this.mode === 'callback') {
      const module = await this.#loadPhone();
      const check = module.toE164(this.phone, this.country || module.guessCountry(this.#locale()));
      if (!check.ok) {
        this.phoneError = check.reason;
        await this.updateComplete;
        this.shadowRoot?.querySelector<HTMLInputElement>('[part~=phone-input]')?.focus();
        return;
      }
      this.phoneError = '';
      phone = check.e164;
    }
    const proceed = this.dispatchEvent(callStartEvent({ destination: this.destination, mode: this.mode ?? null }));
    if (!proceed) return;
    await this.session.call({
      endpoint: this.endpoint,
      destination: this.destination,
      mode: this.mode,
      locale: this.#locale(),
      captchaToken: this.captchaToken,
      ...(phone ? { phone } : {}),
      ...(phone && this.bookAt ? { scheduledAt: this.bookAt } : {}),
    });
  }

  #locale(): string | undefined {
    return this.locale ?? (document.documentElement.lang || undefined);
  }

  /** The number library, only ever loaded in callback mode; fills the country list. */
  #loadPhone(): Promise<PhoneModule> {
    this.#phoneModule ??= loadPhoneModule().then((module) => {
      this.#phone = module;
      this.country ||= module.guessCountry(this.#locale());
      if (this.endpoint && this.destination) {
        void module.fetchSlots(this.endpoint, this.destination).then((slots) => (this.slots = slots));
      }
      this.requestUpdate();
      return module;
    });
    this.#phoneModule.catch(() => (this.#phoneModule = null));
    return this.#phoneModule;
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
    });
  }

  /** Renders only once the language's catalog (and, after a failure, the error sentences) is in. */
  protected override scheduleUpdate(): void | Promise<unknown> {
    return this.#i18n.ready(this.snapshot.state === CallState.Failed, () => super.scheduleUpdate());
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // `state` mirrors the snapshot; a page writing it does not change the call.
    if (changed.has('state') && this.state !== this.snapshot.state) this.state = this.snapshot.state;
    // A `<call-status>` following this element speaks its language.
    if (this.hasUpdated && (changed.has('locale') || changed.has('messages'))) refreshAll();
  }

  #prefetch = (): void => {
    if (this.disabled) return;
    const target = { endpoint: this.endpoint, destination: this.destination, mode: this.mode, locale: this.#locale(), captchaToken: this.captchaToken };
    this.session.prefetch(this.mode, target).catch(() => undefined);
    if (this.mode === 'callback') this.#loadPhone().catch(() => undefined);
  };

  protected override firstUpdated(): void {
    if (this.mode === 'callback') this.#loadPhone().catch(() => undefined);
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
      ${this.#i18n.t('audioSettings')}
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
    return html`<div part="base" lang=${this.#i18n.lang}>
      ${isLive(s.state) ? this.#renderLive(s) : this.#renderIdle(s)}
      <slot></slot>
    </div>`;
  }

  #error(s: CallSnapshot) {
    const e = s.state === CallState.Failed && s.error;
    if (!e) return nothing;
    return html`<p part="error" role="alert">${this.#i18n.error(e)}</p>`;
  }

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
        <slot name="label">${this.#i18n.t(again ? 'callAgain' : 'call')}</slot>
      </button>
      ${this.#settingsButton()} ${this.#settings?.render() ?? nothing}
    `;
  }

  #onSubmit = (event: SubmitEvent): void => {
    event.preventDefault();
    void this.call();
  };

  #renderCallbackForm(s: CallSnapshot) {
    const phone = this.#phone;
    const notice = html`${this.#error(s)}
    ${s.state === CallState.Scheduled && s.scheduledAt
      ? html`<p part="status">${this.#i18n.t('bookedFor', { time: this.#i18n.dateTime(s.scheduledAt) })}</p>`
      : nothing}`;
    // The form lives in the callback chunk with the number checks; it arrives in a moment.
    if (!phone) return html`${notice}<p part="status">${this.#i18n.t('loading')}</p>`;
    return html`${notice}${phone.renderCallbackForm({
      t: this.#i18n.t,
      lang: this.#i18n.lang,
      phone: this.phone,
      error: this.phoneError,
      country: this.country,
      slots: this.slots,
      bookAt: this.bookAt,
      disabled: this.disabled || !this.endpoint || !this.destination,
      onCountry: (value) => (this.country = value),
      onPhone: (value) => {
        this.phone = value;
        this.phoneError = '';
      },
      onSlot: (value) => (this.bookAt = value),
      onSubmit: this.#onSubmit,
    })}`;
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
            ${this.#i18n.t(s.muted ? 'unmute' : 'mute')}
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
            ${this.#i18n.t('keypad')}
          </button>`
        : nothing}
      ${canMute ? this.#settingsButton() : nothing}
      <button part="hangup-button" type="button" @click=${this.#onHangupClick}>
        ${this.#i18n.t('hangUp')}
      </button>
    </div>
    ${canMute ? (this.#settings?.render() ?? nothing) : nothing}
    ${canMute && s.state === CallState.Connected && this.keypadOpen
      ? html`<div id="keypad" part="keypad" role="group" aria-label=${this.#i18n.t('keypad')}>
          ${KEYS.map((key) => html`<button type="button" part="key" @click=${() => this.sendDtmf(key)}>${key}</button>`)}
        </div>`
      : nothing}`;
  }
}

/** The phone keypad, in its usual order. */
const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

declare global {
  interface HTMLElementTagNameMap {
    'click-to-call': ClickToCall;
  }
}
