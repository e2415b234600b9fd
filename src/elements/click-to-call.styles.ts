import { css } from 'lit';

/** The styles of <click-to-call>, adopted as a constructed stylesheet (works under a strict style-src CSP). */
export const styles = css`
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
