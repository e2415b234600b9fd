/**
 * The audio settings (microphone and speaker lists): a lazily loaded chunk, fetched when the
 * visitor opens them, so the first script does not carry it.
 */
import { css, html, nothing, type ReactiveController } from 'lit';
import { adoptMore } from './adopt.ts';
import { CallError } from '../core/errors.ts';
import { CallSession } from '../core/session.ts';
import type { CallSnapshot } from '../core/snapshot.ts';
import { isLive } from '../core/states.ts';
import { addEnglish, type Translate } from '../i18n/index.ts';
import { EN_SETTINGS } from '../i18n/en-settings.ts';
import { LevelMeter } from './level.ts';
import type { ReadinessHost, ReadinessReport, ReadinessRunner } from './readiness.ts';

addEnglish(EN_SETTINGS);

export interface DeviceOption {
  id: string;
  /** '' when the browser hides the name (before the microphone is allowed). */
  label: string;
}

export interface DeviceLists {
  inputs: DeviceOption[];
  outputs: DeviceOption[];
  /** False until the visitor allowed the microphone: browsers hide device names until then. */
  named: boolean;
}

/** The audio inputs and outputs the browser lists, without its own "default" entries. */
export async function listDevices(): Promise<DeviceLists> {
  const all = (await navigator.mediaDevices?.enumerateDevices?.()) ?? [];
  const pick = (kind: MediaDeviceKind) =>
    all
      // Before permission some browsers list one nameless entry per kind; "default" is our null.
      .filter((d) => d.kind === kind && d.deviceId && d.deviceId !== 'default')
      .map((d) => ({ id: d.deviceId, label: d.label }));
  return {
    inputs: pick('audioinput'),
    outputs: pick('audiooutput'),
    named: all.some((d) => d.kind === 'audioinput' && d.label !== ''),
  };
}

export interface SettingsView {
  t: Translate;
  lists: DeviceLists | null;
  /** The live call's microphone level (a `<meter>`), or nothing. */
  meter: unknown;
  microphoneId: string | null;
  speakerId: string | null;
  /** Where the browser can choose the output device (setSinkId). */
  speakerSelectable: boolean;
  /** Resolve when the device is in use; reject (the list goes back to the device in use). */
  onMicrophone(id: string | null): Promise<void>;
  onSpeaker(id: string | null): Promise<void>;
}

/** `unnamed`: the message for a device without a name, "Microphone {n}". */
function options(t: Translate, list: readonly DeviceOption[], chosen: string | null, unnamed: 'settings.microphoneN' | 'settings.speakerN') {
  return html`<option value="" ?selected=${!chosen}>${t('settings.default')}</option>
    ${list.map((d, i) => html`<option value=${d.id} ?selected=${d.id === chosen}>${d.label || t(unnamed, { n: i + 1 })}</option>`)}`;
}

/** A change handler: asks for the picked device, and shows the one in use again if refused. */
const choose = (pick: (id: string | null) => Promise<void>, current: string | null) => (event: Event) => {
  const select = event.target as HTMLSelectElement;
  pick(select.value || null).catch(() => (select.value = current ?? ''));
};

/**
 * The settings' and the pre-call check's styles, adopted into the host's shadow root as a
 * constructed stylesheet when this chunk arrives. Not a `<style>` element in the template: a
 * page whose Content Security Policy has no 'unsafe-inline' for styles refuses those.
 */
const STYLES = css`
  [part='settings'] { display: grid; gap: 0.3em; }
  [part='settings-note'] { margin: 0; }
  [part='readiness-summary'] { margin: 0; }
  [part='readiness-list'] { margin: 0; padding-left: 1.2em; list-style: none; }
  [part='readiness-check'][data-status='fail'] { color: var(--_d); }
  .visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  [part='audio-note'], [part='device-error'] { color: var(--_d); margin: 0; }
  [part~='enable-audio'] { background: var(--_a); color: var(--_oa); }
  [part~='test-audio-button'] { background: var(--_bg2); color: var(--_fg2); }
`;

/** Two labelled lists; the speaker list only where the browser can route audio. */
export function renderSettings(view: SettingsView) {
  const { lists, t } = view;
  if (!lists) return html`<p part="settings-note">${t('settings.looking')}</p>`;
  return html`<label part="device-label" for="microphone">${t('settings.microphone')}</label>
    <select id="microphone" part="microphone-select" .value=${view.microphoneId ?? ''} @change=${choose(view.onMicrophone, view.microphoneId)}>
      ${options(t, lists.inputs, view.microphoneId, 'settings.microphoneN')}
    </select>
    ${view.meter}
    ${view.speakerSelectable
      ? html`<label part="device-label" for="speaker">${t('settings.speaker')}</label>
          <select id="speaker" part="speaker-select" .value=${view.speakerId ?? ''} @change=${choose(view.onSpeaker, view.speakerId)}>
            ${options(t, lists.outputs, view.speakerId, 'settings.speakerN')}
          </select>`
      : nothing}
    ${lists.named ? nothing : html`<p part="settings-note">${t('settings.namesLater')}</p>`}`;
}

/** What the audio settings need of `<click-to-call>`. */
export interface SettingsHost extends ReadinessHost, HTMLElement {
  readonly snapshot: CallSnapshot;
  setMicrophone(id: string | null): Promise<void>;
  setSpeaker(id: string | null): Promise<void>;
  resumeAudio(): Promise<void>;
}

/**
 * The audio settings of `<click-to-call>`: open or closed, the device lists (refreshed on
 * `devicechange` while open and when the call's state changes), focus (the microphone list
 * when they open, the settings button when they close, by the button or Escape), why the last
 * device change was refused, and the "Tap to enable audio" prompt while the browser blocks
 * the agent's audio (focus moves to it from inside the widget, and back to Hang up after).
 */
export class AudioSettings implements ReactiveController {
  open = false;
  lists: DeviceLists | null = null;
  /** Why the last microphone or speaker change was refused (a message key); '' once one succeeds or a call starts. */
  error: '' | 'settings.cannotUse' | 'settings.micDenied' | 'settings.micUnavailable' = '';
  readonly meter: LevelMeter;
  #state = '';
  #permission: PermissionStatus | null = null;
  #blocked = false;
  /** Where focus was before this update: in the widget at all, and on the prompt. */
  #focusIn = false;
  #focusOnPrompt = false;
  #readiness: ReadinessRunner | null = null;

  constructor(
    private readonly host: SettingsHost,
    session: CallSession,
    private readonly t: Translate,
  ) {
    host.addController(this);
    adoptMore(host, STYLES);
    this.meter = new LevelMeter(host, session, t);
    // Made when the audio was blocked, perhaps: render the prompt now.
    host.requestUpdate();
  }

  hostConnected(): void {
    if (!this.open) return;
    navigator.mediaDevices?.addEventListener('devicechange', this.refresh);
    // Names appear once the microphone is allowed ("Test my audio", a call): list them again.
    navigator.permissions?.query({ name: 'microphone' as PermissionName }).then(
      (status) => {
        if (this.#permission) this.#permission.onchange = null;
        this.#permission = status;
        status.onchange = () => void (this.open && this.refresh());
      },
      () => undefined,
    );
  }

  hostDisconnected(): void {
    navigator.mediaDevices?.removeEventListener('devicechange', this.refresh);
    if (this.#permission) this.#permission.onchange = null;
  }

  hostUpdate(): void {
    const active = this.host.shadowRoot?.activeElement;
    this.#focusIn = active != null;
    this.#focusOnPrompt = active?.part.contains('enable-audio') ?? false;
  }

  hostUpdated(): void {
    const blocked = this.#blocked;
    this.#blocked = this.#showPrompt();
    if (this.#blocked && !blocked && this.#focusIn) this.#focus('enable-audio');
    if (!this.#blocked && blocked && this.#focusOnPrompt) this.#focus('hangup-button');
    if (this.host.state !== this.#state && this.host.state === 'authorizing' && this.error) {
      this.error = '';
      this.host.requestUpdate();
    }
    // A call in progress may just have been allowed the microphone: names are known now.
    if (this.open && this.host.state !== this.#state) void this.refresh();
    this.#state = this.host.state;
  }

  /** Waits for a device change; a refusal is shown to the visitor, then passed on. */
  async use(change: Promise<void>): Promise<void> {
    this.error = '';
    this.host.requestUpdate();
    try {
      await change;
    } catch (error) {
      // A browser's own text (InvalidStateError, NotFoundError) is not written for the visitor.
      const code = error instanceof CallError ? error.code : '';
      this.error = code === 'microphone-denied' ? 'settings.micDenied' : code === 'microphone-unavailable' ? 'settings.micUnavailable' : 'settings.cannotUse';
      this.host.requestUpdate();
      throw error;
    }
  }

  refresh = (): Promise<void> =>
    listDevices().then((lists) => {
      this.lists = lists;
      this.host.requestUpdate();
    });

  toggle(): void {
    this.open = !this.open;
    this.meter.enable(this.open);
    this.host.requestUpdate();
    if (!this.open) {
      this.hostDisconnected();
      void this.host.updateComplete.then(() => this.#focus('settings-button'));
      return;
    }
    this.hostConnected();
    void this.refresh()
      .then(() => this.host.updateComplete)
      .then(() => this.open && this.#focus('microphone-select'));
  }

  #focus(part: string): void {
    this.host.shadowRoot?.querySelector<HTMLElement>(`[part~=${part}]`)?.focus();
  }

  /** The pre-call check (its own chunk), its report shown in the settings before a call. */
  checkReadiness(): Promise<ReadinessReport> {
    return import('./readiness.ts').then((module) => (this.#readiness ??= new module.ReadinessRunner(this.host, this.t)).run());
  }

  #onTest = (): void => {
    this.checkReadiness().catch(() => undefined);
  };

  #showPrompt(): boolean {
    const s = this.host.snapshot;
    return s.audioBlocked && isLive(s.state);
  }

  /** The prompt when the browser refused to play the agent (an autoplay policy): a tap plays it. */
  renderPrompt() {
    if (!this.#showPrompt()) return nothing;
    return html`<p part="audio-note" id="audio-note" role="alert">${this.t('audio.paused')}</p>
      <button part="enable-audio" type="button" aria-describedby="audio-note" @click=${() => void this.host.resumeAudio().catch(() => undefined)}>
        ${this.t('audio.enable')}
      </button>`;
  }

  #onKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape') return;
    event.stopPropagation();
    this.toggle();
  };

  render() {
    const error = this.error ? html`<p part="device-error" role="alert">${this.t(this.error)}</p>` : nothing;
    if (!this.open) return error;
    const s = this.host.snapshot;
    return html`${error}<div id="settings" part="settings" role="group" aria-label=${this.t('settings.label')} @keydown=${this.#onKeydown}>
      ${renderSettings({
        t: this.t,
        lists: this.lists,
        meter: this.meter.render(),
        microphoneId: s.microphoneId,
        speakerId: s.speakerId,
        speakerSelectable: CallSession.speakerSelectable,
        onMicrophone: (id) => this.host.setMicrophone(id),
        onSpeaker: (id) => this.host.setSpeaker(id),
      })}
      ${isLive(this.host.state)
        ? nothing
        : html`<button part="test-audio-button" type="button" ?disabled=${this.#readiness?.running || !this.host.endpoint || !this.host.destination} @click=${this.#onTest}>
              ${this.t('settings.test')}
            </button>
            <div part="readiness" role="status" aria-live="polite">${this.#readiness?.render() ?? nothing}</div>`}
    </div>`;
  }
}
