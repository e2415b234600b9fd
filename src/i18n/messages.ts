import type { EN } from './en.ts';
import type { EN_CALLBACK } from './en-callback.ts';
import type { EN_ERRORS } from './errors.ts';
import type { EN_READINESS } from './en-readiness.ts';
import type { EN_SETTINGS } from './en-settings.ts';

/**
 * Every string the widget shows, by key: the English catalog's keys (its parts live with the
 * chunks that show them). Another language's catalog `satisfies Messages`; a partial one
 * (`Partial<Messages>`) falls back to English key by key. Placeholders are written `{name}`.
 */
export type Messages = { readonly [K in keyof AllEnglish]: string };
type AllEnglish = typeof EN & typeof EN_ERRORS & typeof EN_SETTINGS & typeof EN_READINESS & typeof EN_CALLBACK;

export type MessageKey = keyof Messages;

/** Values for a message's placeholders. */
export type MessageParams = Readonly<Record<string, string | number>>;

/** Looks a message up in the resolved language and fills its placeholders. */
export type Translate = (key: MessageKey, params?: MessageParams) => string;
