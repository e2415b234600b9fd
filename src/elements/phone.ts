/**
 * Phone number checks in the browser, for callback mode only: a lazily loaded chunk (the
 * number library's metadata is the weight). The token endpoint checks again with full
 * metadata and refuses premium-rate lines; this only spares the visitor a round trip.
 */
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/min';
import { css, html, nothing, type ReactiveControllerHost } from 'lit';
import { addEnglish, type Translate } from '../i18n/index.ts';
import { EN_CALLBACK } from '../i18n/en-callback.ts';

addEnglish(EN_CALLBACK);

/** The form's styles, adopted when this chunk arrives (see adopt.ts); the element's custom properties. */
export const STYLES = css`
  [part='callback-form'] { display: grid; gap: 0.4em; }
  [part='phone-row'] { display: flex; gap: 0.4em; }
  [part='phone-error'] { color: var(--_d); margin: 0; }
  input[aria-invalid='true'] { border-color: var(--_d); }
`;

export interface Country {
  code: string;
  name: string;
  dial: string;
}

/** `reason`: the message key of why the number was refused. */
export type PhoneCheck = { ok: true; e164: string } | { ok: false; reason: 'phone.empty' | 'phone.chars' | 'phone.invalid' };

/** Every country with its calling code, named in the visitor's language, sorted by name. */
export function countries(locale: string | undefined): Country[] {
  let names: Intl.DisplayNames | null = null;
  try {
    names = new Intl.DisplayNames(locale ? [locale] : undefined, { type: 'region' });
  } catch {
    names = null;
  }
  return getCountries()
    .map((code) => ({ code, name: names?.of(code) ?? code, dial: `+${getCountryCallingCode(code)}` }))
    .sort((a, b) => a.name.localeCompare(b.name, locale));
}

/** The visitor's number as E.164, read in `country` unless it starts with +. */
export function toE164(text: string, country: string): PhoneCheck {
  const trimmed = text.trim();
  if (!trimmed) return { ok: false, reason: 'phone.empty' };
  if (/[^0-9+ ().-]/.test(trimmed)) return { ok: false, reason: 'phone.chars' };
  const number = parsePhoneNumberFromString(trimmed, country as CountryCode);
  if (!number || !number.isValid()) return { ok: false, reason: 'phone.invalid' };
  return { ok: true, e164: number.number };
}

/** A sensible first country: the region of the widget's or the browser's language. */
export function guessCountry(locale: string | undefined): string {
  for (const tag of [locale, ...(typeof navigator === 'undefined' ? [] : navigator.languages ?? [])]) {
    if (!tag) continue;
    try {
      const region = new Intl.Locale(tag).maximize().region;
      if (region && (getCountries() as string[]).includes(region)) return region;
    } catch {
      // Not a valid language tag: try the next one.
    }
  }
  return 'US';
}

/** The times the destination can book a callback at; [] when it books none or cannot say. */
export async function fetchSlots(endpoint: string, destination: string): Promise<string[]> {
  try {
    const base = typeof location === 'undefined' ? undefined : location.href;
    // PATHS.slots of the protocol, spelt out: importing the protocol here would split it into a
    // chunk of its own on the WebRTC path.
    const url = new URL(`${endpoint.replace(/\/+$/, '')}/slots?destination=${encodeURIComponent(destination)}`, base);
    const response = await fetch(url, { credentials: 'omit', cache: 'no-store', signal: AbortSignal.timeout(10_000) });
    if (!response.ok) return [];
    const body = (await response.json()) as { slots?: unknown };
    const slots = Array.isArray(body.slots) ? body.slots.slice(0, 200) : [];
    return slots.filter((slot): slot is string => typeof slot === 'string' && slot.length <= 40 && Date.parse(slot) > Date.now());
  } catch {
    return [];
  }
}

/** A slot as the visitor reads it: "Mon 24 Nov, 09:30". */
export function formatSlot(slot: string, locale: string | undefined): string {
  return new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' }).format(
    new Date(slot),
  );
}

type PhoneCheckReason = Extract<PhoneCheck, { ok: false }>['reason'];

interface CallbackFormView {
  t: Translate;
  /** The widget's language: country names and times are written in it. */
  lang: string;
  phone: string;
  /** A message key, or '' when the number is fine. */
  error: PhoneCheckReason | '';
  country: string;
  /** Bookable times (ISO 8601). */
  slots: readonly string[];
  /** '' = now, else the ISO time picked. */
  bookAt: string;
  /** The default icon of the button (compact and floating layouts). */
  icon?: unknown;
  disabled: boolean;
  onCountry(value: string): void;
  onPhone(value: string): void;
  onSlot(value: string): void;
  onSubmit(event: SubmitEvent): void;
}

let shown: { lang: string; list: Country[] } | undefined;

/** The callback form: country, number, "now" or a time, and the button. */
function renderCallbackForm(v: CallbackFormView) {
  const value = (e: Event) => (e.target as HTMLInputElement | HTMLSelectElement).value;
  const t = v.t;
  // Named in the widget's language: listed again when it changes.
  if (shown?.lang !== v.lang) shown = { lang: v.lang, list: countries(v.lang) };
  return html`<form part="callback-form" novalidate @submit=${v.onSubmit}>
    <label part="phone-label" for="phone">${t('phone.label')}</label>
    <div part="phone-row">
      <select part="country" aria-label=${t('phone.country')} @change=${(e: Event) => v.onCountry(value(e))}>
        ${shown.list.map((c) => html`<option value=${c.code} ?selected=${c.code === v.country}>${t('phone.countryOption', { name: c.name, dial: c.dial })}</option>`)}
      </select>
      <input
        id="phone"
        part="phone-input"
        type="tel"
        autocomplete="tel"
        inputmode="tel"
        aria-invalid=${v.error ? 'true' : 'false'}
        aria-describedby=${v.error ? 'phone-error' : nothing}
        .value=${v.phone}
        @input=${(e: Event) => v.onPhone(value(e))}
      />
    </div>
    ${v.error ? html`<p id="phone-error" part="phone-error" role="alert">${t(v.error)}</p>` : nothing}
    ${v.slots.length > 0
      ? html`<label part="slot-label" for="slot">${t('phone.when')}</label>
          <select id="slot" part="slot" @change=${(e: Event) => v.onSlot(value(e))}>
            <option value="" ?selected=${v.bookAt === ''}>${t('phone.now')}</option>
            ${v.slots.map((s) => html`<option value=${s} ?selected=${s === v.bookAt}>${formatSlot(s, v.lang)}</option>`)}
          </select>`
      : nothing}
    <button part="call-button" type="submit" ?disabled=${v.disabled}>
      <slot name="icon">${v.icon}</slot><span class="t"><slot name="label">${t(v.bookAt ? 'phone.book' : 'phone.callMe')}</slot></span>
    </button>
  </form>`;
}

/** What the callback form needs of its `<click-to-call>`. */
export interface CallbackHost extends ReactiveControllerHost, HTMLElement {
  readonly endpoint: string;
  readonly destination: string;
  readonly disabled: boolean;
  phone: string;
  call(): Promise<void>;
}

/**
 * Callback mode's form and what it holds between renders (country, why a number was refused,
 * the bookable times and the one picked): made when this chunk arrives, so a WebRTC page
 * carries none of it.
 */
export class CallbackForm {
  country: string;
  #error: PhoneCheckReason | '' = '';
  #slots: readonly string[] = [];
  #bookAt = '';

  constructor(
    private readonly host: CallbackHost,
    locale: string | undefined,
  ) {
    this.country = guessCountry(locale);
    if (host.endpoint && host.destination) {
      void fetchSlots(host.endpoint, host.destination).then((slots) => {
        this.#slots = slots;
        host.requestUpdate();
      });
    }
    host.requestUpdate();
  }

  /**
   * The call's callback fields (E.164 number, booked time), or null once the form shows why
   * the number cannot be used, with focus on the field.
   */
  async target(): Promise<{ phone: string; scheduledAt?: string } | null> {
    const host = this.host;
    const check = toE164(host.phone, this.country);
    this.#error = check.ok ? '' : check.reason;
    host.requestUpdate();
    if (check.ok) return { phone: check.e164, ...(this.#bookAt ? { scheduledAt: this.#bookAt } : {}) };
    await host.updateComplete;
    host.shadowRoot?.querySelector<HTMLInputElement>('[part~=phone-input]')?.focus();
    return null;
  }

  render(t: Translate, lang: string, icon: unknown) {
    const host = this.host;
    const set = (change: () => void) => {
      change();
      host.requestUpdate();
    };
    return renderCallbackForm({
      t,
      lang,
      phone: host.phone,
      error: this.#error,
      country: this.country,
      slots: this.#slots,
      bookAt: this.#bookAt,
      icon,
      disabled: host.disabled || !host.endpoint || !host.destination,
      onCountry: (value) => set(() => (this.country = value)),
      onPhone: (value) =>
        set(() => {
          host.phone = value;
          this.#error = '';
        }),
      onSlot: (value) => set(() => (this.#bookAt = value)),
      onSubmit: (event) => {
        event.preventDefault();
        void host.call();
      },
    });
  }
}
