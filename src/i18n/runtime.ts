/**
 * Languages other than plain English: the registered catalogs (Simplified Chinese built in,
 * fetched when needed), the match of a requested tag to one of them, and durations in the
 * locale's digits. A lazily loaded chunk: an English page that registers nothing never loads it.
 */
import { registrations, type MessagesLoader, type PartialMessages } from './index.ts';

/** By lower-case language tag: a catalog, or the function that fetches it. */
const catalogs = new Map<string, PartialMessages | MessagesLoader>([['zh-cn', () => import('./zh-CN.ts')]]);
/** Tags read as another. */
const ALIASES: Record<string, string> = { 'zh-hans': 'zh-cn' };
/** A catalog's fetch: its promise until it settles, then 0 (nothing to wait for). */
const loads = new Map<MessagesLoader, Promise<void> | 0>();

const unwrap = (found: Awaited<ReturnType<MessagesLoader>>) => ('default' in found ? found.default : found) as PartialMessages;

/** `zh_CN` -> `zh-cn`; undefined for what is not a language tag. */
export function canonical(tag: string): string | undefined {
  try {
    return new Intl.Locale(tag.replace(/_/g, '-')).baseName.toLowerCase();
  } catch {
    return undefined;
  }
}

/** Merges a registration (see registerMessages) over what the language has, fetched or not. */
function register(tag: string, messages: PartialMessages | MessagesLoader): void {
  const had = catalogs.get(tag);
  catalogs.set(
    tag,
    !had
      ? messages
      : typeof had == 'object' && typeof messages == 'object'
        ? { ...had, ...messages }
        : () =>
            Promise.all([had, messages].map((m) => (typeof m == 'function' ? m() : m))).then(([first, then]) => ({
              ...unwrap(first!),
              ...unwrap(then!),
            })),
  );
}

/**
 * The catalog for a requested tag: the tag itself, then its language with its likely region,
 * with its likely script, and alone. `zh`, `zh-SG`, `zh-Hans-CN` read Simplified Chinese;
 * `zh-TW` (Traditional script) does not, unless a page registers it. Undefined: none fits.
 */
export function matchLocale(requested: string): string | undefined {
  for (const [tag, messages] of registrations.splice(0)) register(canonical(tag)!, messages);
  const tag = canonical(requested);
  if (!tag) return undefined;
  const { language, script, region } = new Intl.Locale(tag).maximize();
  return [tag, `${language}-${region}`, `${language}-${script}`, language]
    .map((t) => ALIASES[(t = t.toLowerCase())] ?? t)
    .find((t) => t == 'en' || catalogs.has(t));
}

export interface Resolved {
  /** The language tag to show and format in (the requested one, `_` read as `-`). */
  lang: string;
  catalog: PartialMessages | undefined;
  /** While the catalog is fetched. */
  wait: Promise<void> | undefined;
}

/** The first of `tags` that has a catalog, else English. */
export function resolve(tags: readonly string[]): Resolved {
  for (const tag of tags) {
    const key = matchLocale(tag);
    if (!key) continue;
    const found = catalogs.get(key);
    if (typeof found != 'function') return { lang: tag.replace(/_/g, '-'), catalog: found, wait: undefined };
    let wait = loads.get(found);
    if (wait === undefined) {
      // A catalog that cannot be fetched is given up: its language shows English.
      const settle = () => void loads.set(found, 0);
      loads.set(found, (wait = found().then((loaded) => void (catalogs.get(key) == found && catalogs.set(key, unwrap(loaded)))).then(settle, settle)));
    }
    return { lang: tag.replace(/_/g, '-'), catalog: undefined, wait: wait || undefined };
  }
  return { lang: 'en', catalog: undefined, wait: undefined };
}

/** The Intl.DurationFormat of browsers that have it (not yet in every TypeScript lib). */
type DurationFormat = { format(duration: { hours?: number; minutes: number; seconds: number }): string };
const DurationFormat = (Intl as unknown as { DurationFormat?: new (locale: string, options: object) => DurationFormat }).DurationFormat;

const formats = new Map<string, { format(value: never): string }>();
function cached<T extends { format(value: never): string }>(key: string, make: () => T): T {
  let found = formats.get(key);
  if (!found) formats.set(key, (found = make()));
  return found as T;
}

/**
 * A call's length as a clock reads it, in the locale's digits: 75000 -> "1:15", 3725000 ->
 * "1:02:05". Intl.DurationFormat where the browser has it, else the same from Intl.NumberFormat.
 */
export function localDuration(ms: number, locale: string): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (!DurationFormat) return clockDuration(hours, minutes, seconds, locale);
  // The digital style always pads minutes ("01:15"): under an hour, minutes and seconds alone.
  return cached(`d${hours > 0}${locale}`, () =>
    new DurationFormat(locale, hours ? { style: 'digital' } : { minutes: 'numeric', seconds: '2-digit' }),
  ).format(hours ? { hours, minutes, seconds } : { minutes, seconds });
}

/** localDuration() without Intl.DurationFormat (exported for its test). */
export function clockDuration(hours: number, minutes: number, seconds: number, locale: string): string {
  const plain = cached(`p${locale}`, () => new Intl.NumberFormat(locale, { useGrouping: false }));
  const two = cached(`2${locale}`, () => new Intl.NumberFormat(locale, { minimumIntegerDigits: 2, useGrouping: false }));
  return (hours ? [plain.format(hours), two.format(minutes)] : [plain.format(minutes)]).concat(two.format(seconds)).join(':');
}
