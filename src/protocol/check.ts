/**
 * A validator small enough for the browser bundle (zod/mini cost 6.6 KB gzip there, which
 * broke the 70 KB budget for a WebRTC call). It covers what the protocol needs and nothing
 * more; the server's vendor schemas and configuration use zod.
 *
 * Objects keep only the keys of their shape, as zod does by default.
 */
export interface Issue {
  path: Array<string | number>;
  message: string;
}
export type Result<T> = { success: true; data: T } | { success: false; error: { message: string; issues: Issue[] } };

export interface Check<T> {
  /** Returns the value, or throws a ShapeError naming the path of the first mismatch. */
  parse(value: unknown): T;
  safeParse(value: unknown): Result<T>;
  /** @internal */
  readonly run: (value: unknown, path: Path) => T;
  /** @internal */
  readonly optional?: true;
}

export type Infer<C> = C extends Check<infer T> ? T : never;

export class ShapeError extends Error {
  override readonly name = 'ShapeError';
  constructor(
    readonly path: Array<string | number>,
    readonly expected: string,
  ) {
    super(`${['$', ...path].join('.')}: expected ${expected}`);
  }
}

type Path = Array<string | number>;

function make<T>(run: (value: unknown, path: Path) => T, optional?: true): Check<T> {
  return {
    run,
    ...(optional ? { optional } : {}),
    parse: (value) => run(value, []),
    safeParse(value) {
      try {
        return { success: true, data: run(value, []) };
      } catch (error) {
        if (error instanceof ShapeError) {
          return { success: false, error: { message: error.message, issues: [{ path: error.path, message: `Expected ${error.expected}` }] } };
        }
        throw error;
      }
    },
  };
}

function fail(path: Path, expected: string): never {
  throw new ShapeError(path, expected);
}

export function string(limits: { min?: number; max?: number } = {}): Check<string> {
  const { min = 0, max = Infinity } = limits;
  return make((v, p) =>
    typeof v === 'string' && v.length >= min && v.length <= max ? v : fail(p, `a string of ${min} to ${max} characters`),
  );
}

export function number(): Check<number> {
  return make((v, p) => (typeof v === 'number' && Number.isFinite(v) ? v : fail(p, 'a number')));
}

export function boolean(): Check<boolean> {
  return make((v, p) => (typeof v === 'boolean' ? v : fail(p, 'true or false')));
}

export function literal<const L extends string>(value: L): Check<L> {
  return make((v, p) => (v === value ? value : fail(p, JSON.stringify(value))));
}

export function oneOf<const L extends readonly string[]>(values: L): Check<L[number]> {
  return make((v, p) =>
    typeof v === 'string' && values.includes(v) ? (v as L[number]) : fail(p, `one of ${values.join(', ')}`),
  );
}

export function array<T>(item: Check<T>, limits: { min?: number; max?: number } = {}): Check<T[]> {
  const { min = 0, max = Infinity } = limits;
  return make((v, p) => {
    if (!Array.isArray(v) || v.length < min || v.length > max) fail(p, `a list of ${min} to ${max} items`);
    return v.map((x, i) => item.run(x, [...p, i]));
  });
}

export function optional<T>(check: Check<T>): Check<T | undefined> & { readonly optional: true } {
  return make((v, p) => (v === undefined ? undefined : check.run(v, p)), true) as Check<T | undefined> & { readonly optional: true };
}

export function union<T>(...checks: Array<Check<T>>): Check<T> {
  return make((v, p) => {
    for (const check of checks) {
      const result = check.safeParse(v);
      if (result.success) return result.data;
    }
    return fail(p, 'one of the allowed shapes');
  });
}

type Shape = Record<string, Check<unknown>>;
type Optionals<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
export type ObjectOf<S extends Shape> = { [K in Exclude<keyof S, Optionals<S>>]: Infer<S[K]> } & {
  [K in Optionals<S>]?: Infer<S[K]>;
};

export function object<S extends Shape>(shape: S): Check<ObjectOf<S>> & { readonly shape: S } {
  const check = make((v, p) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(p, 'an object');
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape)) {
      const value = field.run((v as Record<string, unknown>)[key], [...p, key]);
      if (value !== undefined) out[key] = value;
    }
    return out as ObjectOf<S>;
  });
  return Object.assign(check, { shape });
}

/** Picks the member by the string at `key` (like a discriminated union). */
export function tagged<K extends string, T extends { [k in K]: string }>(
  key: K,
  members: { [tag: string]: Check<T> },
): Check<T> {
  return make((v, p) => {
    const tag = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
    const member = typeof tag === 'string' && Object.hasOwn(members, tag) ? members[tag] : undefined;
    return member ? member.run(v, p) : fail([...p, key], `one of ${Object.keys(members).join(', ')}`);
  });
}
