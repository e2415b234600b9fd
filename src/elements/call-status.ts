import { consume } from '@lit/context';
import { LitElement, html, nothing, type PropertyValues } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { CallSession } from '../core/session.ts';
import { INITIAL_SNAPSHOT, type CallSnapshot } from '../core/snapshot.ts';
import { CallState, isLive } from '../core/states.ts';
import { C2CEvent } from '../events/index.ts';
import { ClockController } from './clock.ts';
import { styles } from './call-status.styles.ts';
import { callSessionContext } from './context.ts';
import { Localizer, type LocaleSource, type MessageKey } from '../i18n/index.ts';

/**
 * Shows the state of a call: what is happening, the time in the queue, the call's length and
 * why it failed. Nest it in a `<click-to-call>`, or point `for` at one anywhere on the page.
 * It speaks that element's language (its `locale`, else the page's `lang`; docs/i18n.md).
 *
 * @summary The live status of a `<click-to-call>` call.
 *
 * @csspart base - The wrapper. Not a live region: the `<click-to-call>` it follows announces each
 *   state once (a ticking timer here would otherwise be read out every second).
 * @csspart label - The state text.
 * @csspart queue-time - Time spent waiting for an agent.
 * @csspart elapsed - Length of the connected call.
 * @csspart error - Why the call failed.
 * @csspart scheduled - Callback booked for later: the time the visitor will be called.
 * @csspart quality - WebRTC calls: "Connection good / fair / poor", with `data-level` for styling.
 * @csspart scheduled - A booked callback: the time it will ring, in the visitor's locale.
 *
 * @cssproperty [--c2c-status-color=inherit] - Text color.
 * @cssproperty [--c2c-danger=light-dark(#b3261e, #f2b8b5)] - Color of the failure reason.
 * @cssproperty [--c2c-gap=0.25em 0.75em] - Space between the pieces.
 */
export class CallStatus extends LitElement {
  static override styles = styles;

  /** The id of a `<click-to-call>` to follow, when this element is not nested in it. */
  @property({ attribute: 'for' }) htmlFor = '';

  /** The followed call's state, reflected for styling. Read-only. */
  @property({ reflect: true }) state: CallState = CallState.Idle;

  @consume({ context: callSessionContext, subscribe: true })
  @state()
  protected session: CallSession | undefined = undefined;

  @state() protected snapshot: CallSnapshot = INITIAL_SNAPSHOT;

  readonly #clock = new ClockController(this, () => isLive(this.snapshot.state));
  // Speaks the language of the followed `<click-to-call>` (its `locale` and `messages`).
  readonly #i18n = new Localizer(
    this,
    () => (this.closest('click-to-call') ?? (this.getRootNode() as Document | ShadowRoot).getElementById?.(this.htmlFor) ?? {}) as LocaleSource,
  );
  #unsubscribe: (() => void) | null = null;
  #root: Document | ShadowRoot | null = null;

  override connectedCallback(): void {
    super.connectedCallback();
    this.#listen();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#root?.removeEventListener(C2CEvent.StateChange, this.#onStateChange);
    this.#root = null;
  }

  /** Renders only once the language's catalog (and, after a failure, the error sentences) is in. */
  protected override scheduleUpdate(): void | Promise<unknown> {
    return this.#i18n.ready(this.snapshot.state, () => super.scheduleUpdate());
  }

  protected override willUpdate(changed: PropertyValues): void {
    if (changed.has('session') || changed.has('htmlFor')) this.#listen();
    if (this.state !== this.snapshot.state) this.state = this.snapshot.state;
  }

  /** Follows the nested session (context) when there is one, else the element named by `for`. */
  #listen(): void {
    this.#unsubscribe?.();
    this.#unsubscribe = null;
    this.#root?.removeEventListener(C2CEvent.StateChange, this.#onStateChange);
    this.#root = null;
    if (!this.isConnected) return;
    if (this.session) {
      const session = this.session;
      this.snapshot = session.snapshot;
      this.#unsubscribe = session.subscribe((next) => (this.snapshot = next));
      return;
    }
    if (!this.htmlFor) return;
    // Listening at the root also catches a target that is added or upgraded later.
    const root = this.getRootNode() as Document | ShadowRoot;
    this.#root = root;
    root.addEventListener(C2CEvent.StateChange, this.#onStateChange);
    const target = root.getElementById?.(this.htmlFor);
    if (target) this.#follow(target);
  }

  /** Follows every snapshot of the target (quality and mute too), not only its state changes. */
  #follow(target: Element): void {
    const source = target as Partial<{ snapshot: CallSnapshot; subscribe(fn: (s: CallSnapshot) => void): () => void }>;
    if (typeof source.subscribe !== 'function') return;
    this.#unsubscribe?.();
    this.#unsubscribe = source.subscribe((next) => (this.snapshot = next));
    if (source.snapshot) this.snapshot = source.snapshot;
  }

  #onStateChange = (event: Event): void => {
    const origin = event.composedPath()[0];
    if (origin instanceof Element && origin.id === this.htmlFor) {
      this.snapshot = (event as CustomEvent<CallSnapshot>).detail;
      // A target added or upgraded after this element: follow it from now on.
      if (!this.#unsubscribe) this.#follow(origin);
    }
  };

  #renderQuality(mos: number, warnings: readonly string[]) {
    const { t } = this.#i18n;
    const level = warnings.length > 0 || mos < 3.5 ? 'poor' : mos < 4 ? 'fair' : 'good';
    const quality = t(`quality.${level}`);
    const reasons = this.#i18n.list(warnings.map((w) => t(`quality.${w}` as MessageKey)));
    return html`<span part="quality" data-level=${level}>${reasons ? t('quality.why', { quality, reasons }) : quality}</span>`;
  }

  protected override render() {
    const s = this.snapshot;
    const now = this.#clock.now;
    const waiting = s.state === CallState.Queued && s.queuedAt !== null;
    const talking = (s.state === CallState.Connected || s.state === CallState.Reconnecting) && s.connectedAt !== null;
    const lasted = s.state === CallState.Ended && s.connectedAt !== null && s.endedAt !== null;
    const i18n = this.#i18n;
    const time = i18n.duration(now - (s.queuedAt ?? now));
    return html`<div part="base" lang=${i18n.lang}>
      ${s.state === CallState.Idle ? nothing : html`<span part="label">${i18n.t(s.state)}</span>`}
      ${waiting
        ? html`<span part="queue-time">${
            s.queuePosition !== null ? i18n.t('inQueueAt', { time, position: i18n.number(s.queuePosition) }) : i18n.t('inQueue', { time })
          }</span>`
        : nothing}
      ${talking ? html`<span part="elapsed">${i18n.duration(now - (s.connectedAt ?? now))}</span>` : nothing}
      ${talking && s.quality?.mos != null ? this.#renderQuality(s.quality.mos, s.quality.warnings) : nothing}
      ${lasted ? html`<span part="elapsed">${i18n.t('lasted', { time: i18n.duration((s.endedAt ?? 0) - (s.connectedAt ?? 0)) })}</span>` : nothing}
      ${s.state === CallState.Failed && s.error ? html`<span part="error">${i18n.error(s.error)}</span>` : nothing}
      ${s.state === CallState.Scheduled && s.scheduledAt
        ? html`<span part="scheduled">${i18n.dateTime(s.scheduledAt)}</span>`
        : nothing}
    </div>`;
  }
}

// Defined here rather than with @customElement: a class decorator makes esbuild turn every
// #private member into WeakMap helpers (about 200 B gzip more in the first script).
customElements.define('call-status', CallStatus);

declare global {
  interface HTMLElementTagNameMap {
    'call-status': CallStatus;
  }
}
