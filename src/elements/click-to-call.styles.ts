import { css } from 'lit';

/**
 * The styles of <click-to-call>, adopted as a constructed stylesheet (works under a strict
 * style-src CSP). Every colour goes through a private `--_x` that falls back from the page's
 * `--c2c-x` to a default: a page setting `--c2c-x` on any ancestor (even :root) wins.
 * Dark defaults come from light-dark(), which follows the `color-scheme` the element inherits:
 * a page that says it supports dark (`color-scheme: light dark`) gets them when the visitor
 * prefers dark, a light-only page keeps light ones on its light background. (No fallback for
 * browsers before light-dark(), 2024: it cost more bytes of the first script than it saved.)
 */
export const styles = css`
  :host { display: inline-block; font: var(--c2c-font, inherit); --_a: var(--c2c-accent, light-dark(#0b6bcb, #8ab4f8)); --_oa: var(--c2c-on-accent, light-dark(#fff, #062e6f)); --_d: var(--c2c-danger, light-dark(#b3261e, #f2b8b5)); --_od: var(--c2c-on-danger, light-dark(#fff, #601410)); --_bg2: var(--c2c-secondary-bg, light-dark(#e8eaed, #3c4043)); --_fg2: var(--c2c-secondary-fg, light-dark(#1f1f1f, #e8eaed)); --_b: var(--c2c-border, light-dark(#767676, #8e918f)); }
  :host([hidden]) { display: none; }
  [part='base'] { display: inline-flex; flex-direction: column; gap: var(--c2c-gap, 0.5em); }
  button { font: inherit; cursor: pointer; border: 0; border-radius: var(--c2c-radius, 999px); padding: 0.6em 1.2em; min-height: var(--c2c-target-size, 44px); }
  button:focus-visible, select:focus-visible, input:focus-visible { outline: 3px solid var(--c2c-focus-ring, var(--_a)); outline-offset: 2px; }
  button:disabled { cursor: not-allowed; opacity: 0.6; }
  [part~='call-button'] { background: var(--_a); color: var(--_oa); }
  [part~='hangup-button'] { background: var(--_d); color: var(--_od); }
  [part~='mute-button'], [part~='settings-button'], [part~='keypad-button'], [part~='key'] { background: var(--_bg2); color: var(--_fg2); }
  [part~='mute-button'][aria-pressed='true'] { background: var(--_fg2); color: var(--_bg2); }
  [part='keypad'] { display: grid; grid-template-columns: repeat(3, 3.2em); gap: 0.3em; }
  [part='key'] { padding: 0; border-radius: var(--c2c-field-radius, 8px); }
  [part='controls'] { display: flex; align-items: center; gap: var(--c2c-gap, 0.5em); flex-wrap: wrap; }
  [part='error'] { color: var(--_d); margin: 0; }
  select, input { font: inherit; min-height: var(--c2c-target-size, 44px); padding: 0 0.6em; border: 1px solid var(--_b); border-radius: var(--c2c-field-radius, 8px); background: Field; color: FieldText; }
  select { max-width: 11em; }
  .vh { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  :host([layout='floating']) [part='base'] { position: fixed; }
`;
