import { css } from 'lit';

/** The styles of <call-status>, adopted as a constructed stylesheet (works under a strict style-src CSP). */
export const styles = css`
  :host {
    display: block;
    color: var(--c2c-status-color, inherit);
  }
  :host([hidden]) {
    display: none;
  }
  [part='base'] {
    display: flex;
    flex-wrap: wrap;
    gap: 0.25em 0.75em;
  }
  [part='error'] {
    color: var(--c2c-danger, #b3261e);
    flex-basis: 100%;
  }
`;
