import { css } from 'lit';

/**
 * The styles of <call-status>, adopted as a constructed stylesheet (works under a strict
 * style-src CSP). The failure colour switches with the inherited `color-scheme` like
 * <click-to-call>'s (see click-to-call.styles.ts).
 */
export const styles = css`
  :host { display: block; color: var(--c2c-status-color, inherit); }
  :host([hidden]) { display: none; }
  [part='base'] { display: flex; flex-wrap: wrap; gap: var(--c2c-gap, 0.25em 0.75em); }
  [part='error'] { color: var(--c2c-danger, light-dark(#b3261e, #f2b8b5)); flex-basis: 100%; }
`;
