import { adoptStyles, type CSSResult } from 'lit';

/**
 * Adds a lazy chunk's styles after those already adopted by `host`'s shadow root, as a
 * constructed stylesheet: a `<style>` element would be refused by a strict style-src CSP.
 * (Where adoptedStyleSheets is missing, Lit's adoptStyles appends a `<style>` instead.)
 */
export function adoptMore(host: HTMLElement, styles: CSSResult): void {
  const root = host.shadowRoot;
  if (root) adoptStyles(root, [...(root.adoptedStyleSheets ?? []), styles]);
}
