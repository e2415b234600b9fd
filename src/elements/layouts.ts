// The compact and floating layouts' styles and the default icons: loaded only when `layout`
// is not `inline`, the look most pages use, so the first script does not carry them.
import { css, html } from 'lit';
import { adoptMore } from './adopt.ts';

/** 24×24 outlines drawn for this widget, filled with currentColor; the button's text names the button. */
const icon = (d: string) => html`<svg part="icon" viewBox="0 0 24 24" aria-hidden="true"><path d=${d}></path></svg>`;

export const ICONS = {
  phone: icon('M5 3h4l1.5 4.5-2 1.5c1 2.5 3 4.5 5.5 5.5l1.5-2 4.5 1.5v4c0 1-1 2-2 2C10 20 4 14 3 5c0-1 1-2 2-2z'),
  mic: icon('M12 15a3 3 0 0 0 3-3V6a3 3 0 0 0-6 0v6a3 3 0 0 0 3 3zm6-3a6 6 0 0 1-12 0H4a8 8 0 0 0 7 7.9V22h2v-2.1a8 8 0 0 0 7-7.9z'),
  keypad: icon('M4 3h4v4H4zm6 0h4v4h-4zm6 0h4v4h-4zM4 10h4v4H4zm6 0h4v4h-4zm6 0h4v4h-4zM4 17h4v4H4zm6 0h4v4h-4zm6 0h4v4h-4z'),
  sliders: icon('M3 6h9v2H3zm13 0h5v2h-5zM3 16h5v2H3zm9 0h9v2h-9zM12 4h4v6h-4zM8 14h4v6H8z'),
};

/** Adopted after the element's own styles (see adopt.ts); same custom properties. */
export const STYLES = css`
  :host { --_s: var(--c2c-surface, light-dark(#fff, #1f1f1f)); --_t: var(--c2c-text, light-dark(#1f1f1f, #e8eaed)); }
  button { min-width: var(--c2c-target-size, 36px); display: inline-flex; align-items: center; justify-content: center; gap: 0.4em; }
  [part~='icon'] { width: 1.25em; height: 1.25em; fill: currentColor; flex: none; }
  [part~='hangup-button'] [part~='icon'] { rotate: 135deg; }
  :host([layout='inline']) slot > [part~='icon'] { display: none; }
  :host([layout='compact']) .t, :host([layout='floating']) .t { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  :host([layout='compact']) [part='base'] { flex-flow: row wrap; align-items: center; }
  :host([layout='compact']) button { min-height: var(--c2c-target-size, 36px); }
  [part~='panel-button'] { background: var(--_a); color: var(--_oa); }
  :host([layout='compact']) button, :host([layout='floating']) button { padding: 0.4em; }
  :host([layout='floating']) [part='base'] { z-index: var(--c2c-z-index, 1000); bottom: var(--c2c-float-bottom, 1.5rem); right: var(--c2c-float-right, 1.5rem); left: var(--c2c-float-left, auto); flex-direction: column-reverse; align-items: end; max-width: calc(100vw - 3rem); }
  :host([layout='floating']) :is([part~='call-button'], [part~='panel-button']) { min-height: var(--c2c-float-size, 56px); min-width: var(--c2c-float-size, 56px); box-shadow: var(--c2c-shadow, 0 2px 8px #0006); }
  :host([layout='floating']) :is([part='panel'], [part='error'], p[part='status'], [part='callback-form']) { background: var(--_s); color: var(--_t); padding: 0.75em; border-radius: var(--c2c-field-radius, 8px); box-shadow: var(--c2c-shadow, 0 2px 8px #0006); }
  [part='panel'][hidden] { display: none; }
`;

/**
 * Floating layout, during a call: the round button and the panel of controls above it. The
 * panel opens as each call starts (focus follows the widget's own rules), Escape or the round
 * button folds it away without ending the call, and Tab always leaves it: it never traps focus.
 */
export class FloatingPanel {
  open = true;
  /** The default icons, for the element's templates (so only this chunk carries them). */
  readonly icons = ICONS;

  constructor(private readonly host: HTMLElement & { requestUpdate(): void; readonly updateComplete: Promise<boolean> }) {}

  /** `label` names the round button and the panel, in the widget's language. */
  render(controls: unknown, label: string) {
    return html`<button part="panel-button" type="button" aria-expanded=${String(this.open)} aria-controls="panel" @click=${this.#toggle}>
        <slot name="icon">${ICONS.phone}</slot><span class="t">${label}</span>
      </button>
      <div id="panel" part="panel" role="group" aria-label=${label} ?hidden=${!this.open} @keydown=${this.#onKeydown}>
        ${controls}
      </div>`;
  }

  #toggle = (): void => {
    this.open = !this.open;
    this.#focus(this.open ? '[part=panel] button' : '');
  };

  #onKeydown = (event: KeyboardEvent): void => {
    if (event.key !== 'Escape' || !this.open) return;
    this.open = false;
    this.#focus('[part=panel-button]');
  };

  /** Re-renders, then focuses `selector` (nothing for ''). */
  #focus(selector: string): void {
    this.host.requestUpdate();
    void this.host.updateComplete.then(() => selector && this.host.shadowRoot?.querySelector<HTMLElement>(selector)?.focus());
  }
}

/** Adopts the layouts' styles into `host` and gives it its panel (which also carries the icons). */
export function attach(host: ConstructorParameters<typeof FloatingPanel>[0]): FloatingPanel {
  adoptMore(host, STYLES);
  host.requestUpdate();
  return new FloatingPanel(host);
}
