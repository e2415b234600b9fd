/**
 * The widget's languages: the English catalog, the choice of language for each element, and
 * Intl formatting. Kept small, as it is in the first script: other languages (runtime.ts,
 * Simplified Chinese built in) and the error sentences (errors.ts) are chunks fetched when needed.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { InvalidArgumentError } from '../core/errors.ts';
import type { CallErrorInfo } from '../core/snapshot.ts';
import type { CallState } from '../core/states.ts';
import { EN } from './en.ts';
import type { MessageKey, Messages, Translate } from './messages.ts';

export type { MessageKey, MessageParams, Messages, Translate } from './messages.ts';

/** A catalog, complete or not: a missing key is shown in English. */
export type PartialMessages = Partial<Messages>;
/** Fetches a catalog when a page first needs its language, e.g. `() => import('./fr.js')`. */
export type MessagesLoader = () => Promise<PartialMessages | { default: PartialMessages }>;

const english: Record<string, string | undefined> = { ...EN };
/** Languages registered by the page (valid tags, as given), taken in by runtime.ts. */
export const registrations: Array<[string, PartialMessages | MessagesLoader]> = [];
const hosts = new Set<ReactiveControllerHost>();
let observer: MutationObserver | undefined;
let runtime: typeof import('./runtime.ts') | undefined;
let errors: typeof import('./errors.ts') | undefined;

/** `load()` started once per `key`: its promise until it settles, then undefined (nothing to wait for). */
const loads: Record<string, Promise<unknown> | 0> = {};
function once(key: string, load: () => Promise<unknown>): Promise<unknown> | undefined {
  // Offline, perhaps: a chunk that cannot be fetched leaves English, or the endpoint's sentence.
  const settle = () => (loads[key] = 0);
  return (loads[key] ??= load().then(settle, settle)) || undefined;
}

/**
 * The English error sentences (a chunk of their own), fetched when a call fails: a call that
 * goes well never loads them (nor counts them in the WebRTC path's bytes).
 */
const loadErrorMessages = () =>
  once('e', () =>
    import('./errors.ts').then((module) => {
      errors = module;
      addEnglish(module.EN_ERRORS);
    }),
  );

/** English of a lazily loaded part of the widget (its chunk brings it). */
export function addEnglish(messages: Readonly<Record<string, string>>): void {
  Object.assign(english, messages);
}

/**
 * Adds a language, or changes some of its messages: `messages` is a partial catalog (merged
 * into what the language has; a missing key is shown in English) or a function that fetches
 * one when a page first needs it. `locale` is a language tag (`fr`, `pt-BR`; `_` is read as
 * `-`); a page in `fr-CA` gets `fr` when there is no `fr-CA`. Elements on the page render
 * again. Throws InvalidArgumentError for what is not a language tag or a catalog.
 */
export function registerMessages(locale: string, messages: PartialMessages | MessagesLoader): void {
  try {
    // Throws a RangeError for what is not a language tag; the runtime reads it (runtime.ts).
    if (Intl.getCanonicalLocales(locale.replace(/_/g, '-')).length && messages && /^[fo]/.test(typeof messages)) {
      registrations.push([locale, messages]);
      return refreshAll();
    }
  } catch {
    // Refused below.
  }
  throw new InvalidArgumentError('registerMessages(): not a language tag and a catalog.');
}

/** Asks every connected element to render again (a language, or a `lang` attribute, changed). */
export function refreshAll(): void {
  for (const host of hosts) host.requestUpdate();
}

/** What an element says about its language: its `locale` and its `messages` overrides. */
export interface LocaleSource {
  locale?: string | undefined;
  messages?: PartialMessages | undefined;
}

/**
 * The language of one element: its `locale`, else the nearest `lang` attribute around it,
 * else `<html lang>`, else the browser's languages, else English. The first of the page's
 * answers decides (English when no catalog fits it); of the browser's, the first that fits.
 * Renders the element again when a `lang` attribute in the page changes.
 */
export class Localizer implements ReactiveController {
  /** The resolved language tag: the text's language, and the locale of its numbers and dates. */
  lang = 'en';
  #catalog: PartialMessages | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly source: () => LocaleSource,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    hosts.add(this.host);
    // One observer for the page, watching `lang` attributes only: cheap, so never disconnected.
    (observer ??= new MutationObserver(refreshAll)).observe(document.documentElement, { attributeFilter: ['lang'], subtree: true });
  }

  hostDisconnected(): void {
    hosts.delete(this.host);
  }

  /**
   * Resolves the language, then calls `render`; first waits (and resolves again) while the
   * language's catalog or, after a failure, the error sentences are fetched, so that the
   * element never shows a mix of languages.
   */
  ready(state: CallState, render: () => void): void | Promise<unknown> {
    const asked = this.source().locale || this.host.closest('[lang]')?.getAttribute('lang') || document.documentElement.lang;
    const tags = asked ? [asked] : (navigator.languages ?? []);
    let wait: Promise<unknown> | undefined;
    // Plain English with nothing registered: the other languages' code is not even fetched.
    if (runtime || registrations.length || !/^(en([-_]|$)|$)/i.test(tags[0] ?? '')) {
      if (runtime) {
        const resolved = runtime.resolve(tags);
        this.lang = resolved.lang;
        this.#catalog = resolved.catalog;
        wait = resolved.wait;
      } else {
        wait = once('r', () => import('./runtime.ts').then((module) => (runtime = module)));
      }
    } else {
      this.lang = tags[0]?.replace(/_/g, '-') || 'en';
      this.#catalog = undefined;
    }
    if (state === 'failed') wait ??= loadErrorMessages();
    return wait ? wait.then(() => this.ready(state, render)) : render();
  }

  /** The message in the resolved language (else English), its `{placeholders}` filled. */
  t: Translate = (key, params) => {
    const text = this.#find(key) ?? key;
    return params ? text.replace(/\{(\w+)\}/g, (all, name: string) => `${params[name] ?? all}`) : text;
  };

  #find(key: MessageKey): string | undefined {
    return this.source().messages?.[key] ?? this.#catalog?.[key] ?? english[key];
  }

  /**
   * The visitor's sentence for a failure: by its code, or the endpoint's own for an unknown code.
   * Without the errors chunk (it could not be fetched), a loaded catalog's sentence still serves.
   */
  error(error: CallErrorInfo): string {
    return errors
      ? errors.describeError(error, this.t, (key) => this.#find(key) != null, this.lang)
      : (this.#find(`error.${error.code}` as MessageKey) ?? error.message);
  }

  duration(ms: number): string {
    return runtime?.localDuration(ms, this.lang) ?? formatDuration(ms);
  }

  number(value: number): string {
    return value.toLocaleString(this.lang);
  }

  /** A date and time: "Nov 24, 2026, 9:30 AM", "2026年11月24日 09:30". */
  dateTime(iso: string): string {
    return new Date(iso).toLocaleString(this.lang, { dateStyle: 'medium', timeStyle: 'short' });
  }

  /** "slow and unsteady". */
  list(words: string[]): string {
    return new Intl.ListFormat(this.lang).format(words);
  }
}

/** 75000 -> "1:15", 3725000 -> "1:02:05", in Latin digits (runtime.ts has the locale's). */
export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
