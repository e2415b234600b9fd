// custom-elements.json is generated from the elements' JSDoc and committed: fail when stale.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, test } from 'node:test';

test('custom-elements.json matches the elements (run `npm run manifest` to refresh)', () => {
  // The analyzer takes --outdir relative to the working directory.
  mkdirSync('.cache', { recursive: true });
  const dir = mkdtempSync(join('.cache', 'cem-'));
  try {
    execFileSync('npx', ['cem', 'analyze', '--config', 'custom-elements-manifest.config.mjs', '--outdir', dir, '--quiet'], { stdio: 'pipe' });
    const fresh = JSON.parse(readFileSync(join(dir, 'custom-elements.json'), 'utf8'));
    const committed = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
    assert.deepEqual(committed, fresh);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('custom-elements.json describes both elements with their attributes and events', () => {
  const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8'));
  const declarations = manifest.modules.flatMap((m: { declarations?: unknown[] }) => m.declarations ?? []) as Array<{
    tagName?: string;
    attributes?: Array<{ name: string }>;
    events?: Array<{ name: string }>;
    cssParts?: Array<{ name: string }>;
  }>;
  const c2c = declarations.find((d) => d.tagName === 'click-to-call');
  const status = declarations.find((d) => d.tagName === 'call-status');
  assert.ok(c2c && status, 'both tags are declared');
  const attributes = c2c.attributes!.map((a) => a.name);
  for (const name of ['endpoint', 'destination', 'mode', 'locale', 'disabled', 'state']) assert.ok(attributes.includes(name), name);
  const events = c2c.events!.map((e) => e.name);
  for (const name of ['c2c-call-start', 'c2c-state-change', 'c2c-connected', 'c2c-ended', 'c2c-error']) assert.ok(events.includes(name), name);
  assert.ok(status.attributes!.some((a) => a.name === 'for'));
  assert.ok(c2c.cssParts!.some((p) => p.name === 'call-button'));
});

// ---------------------------------------------------------------------------------------------
// Completeness: what the element sources declare must all be in the manifest, typed and
// described, and nothing a page cannot use may leak into it.

interface Typed { text: string }
interface Member {
  kind: 'field' | 'method';
  name: string;
  privacy?: string;
  static?: boolean;
  type?: Typed;
  description?: string;
  attribute?: string;
  readonly?: boolean;
  return?: { type?: Typed };
  parameters?: Array<{ name: string; type?: Typed }>;
}
interface Declaration {
  name: string;
  tagName: string;
  customElement?: boolean;
  description?: string;
  summary?: string;
  members: Member[];
  attributes?: Array<{ name: string; fieldName?: string; type?: Typed; description?: string }>;
  events?: Array<{ name: string; type?: Typed; description?: string }>;
  slots?: Array<{ name: string; description?: string }>;
  cssParts?: Array<{ name: string; description?: string }>;
  cssProperties?: Array<{ name: string; default?: string; description?: string }>;
}

const ELEMENT_SOURCES = { 'click-to-call': 'src/elements/click-to-call.ts', 'call-status': 'src/elements/call-status.ts' } as const;

function elements(): Map<string, Declaration> {
  const manifest = JSON.parse(readFileSync('custom-elements.json', 'utf8')) as { modules: Array<{ path: string; declarations: Declaration[] }> };
  const found = new Map<string, Declaration>();
  for (const mod of manifest.modules) for (const d of mod.declarations) if (d.tagName) found.set(d.tagName, d);
  return found;
}

/** `@property(...) name` in a class body: [name, attribute name or null for attribute: false]. */
function declaredProperties(source: string): Array<[string, string | null]> {
  const out: Array<[string, string | null]> = [];
  for (const m of source.matchAll(/@property\(([^)]*)\)\s*(?:(?:public|readonly|declare)\s+)*([A-Za-z_$][\w$]*)/g)) {
    const options = m[1]!;
    const name = m[2]!;
    const custom = /attribute:\s*'([^']+)'/.exec(options);
    out.push([name, /attribute:\s*false/.test(options) ? null : custom ? custom[1]! : name.toLowerCase()]);
  }
  return out;
}

/** Public methods of the class body (not #private, private, protected, static or Lit's lifecycle). */
function declaredMethods(source: string): string[] {
  const lifecycle = new Set(['constructor', 'connectedCallback', 'disconnectedCallback', 'render', 'willUpdate', 'updated', 'firstUpdated']);
  const names = [...source.matchAll(/^ {2}(?:async\s+)?([a-zA-Z]\w*)\s*\(/gm)].map((m) => m[1]!);
  return [...new Set(names)].filter((n) => !lifecycle.has(n) && !['if', 'for', 'switch', 'while'].includes(n));
}

/** Every part name written literally in a template (`part="a b"`). */
const templateParts = (source: string) =>
  new Set([...source.matchAll(/\bpart="([^"$]+)"/g)].flatMap((m) => m[1]!.split(/\s+/).filter(Boolean)));

describe('custom-elements.json is complete for both elements', () => {
  const found = elements();

  it('declares exactly the two elements, with a summary', () => {
    assert.deepEqual([...found.keys()].sort(), ['call-status', 'click-to-call']);
    for (const d of found.values()) assert.ok(d.summary || d.description, `${d.tagName} has no summary`);
  });

  for (const [tag, file] of Object.entries(ELEMENT_SOURCES)) {
    it(`<${tag}>: every @property is a public, typed, described member, with its attribute`, () => {
      const d = found.get(tag)!;
      const source = readFileSync(file, 'utf8');
      const properties = declaredProperties(source);
      assert.ok(properties.length >= 2, `found no @property in ${file}: the pattern is stale`);
      for (const [name, attribute] of properties) {
        const member = d.members.find((m) => m.name === name);
        assert.ok(member, `${tag}.${name} is missing`);
        assert.ok(member.type?.text, `${tag}.${name} has no type`);
        assert.ok(member.description?.trim(), `${tag}.${name} has no description`);
        if (attribute === null) {
          assert.equal(member.attribute, undefined, `${tag}.${name} is property-only`);
          continue;
        }
        assert.equal(member.attribute, attribute, `${tag}.${name} attribute`);
        const attr = d.attributes?.find((a) => a.name === attribute);
        assert.ok(attr, `${tag} attribute ${attribute} is missing`);
        assert.equal(attr.fieldName, name);
        assert.ok(attr.type?.text && attr.description?.trim(), `${tag} attribute ${attribute} lacks type or description`);
      }
    });

    it(`<${tag}>: nothing private, protected or internal leaks`, () => {
      const d = found.get(tag)!;
      const source = readFileSync(file, 'utf8');
      const hidden = new Set([
        ...[...source.matchAll(/@state\(\)\s*(?:(?:private|protected)\s+)?([A-Za-z_$][\w$]*)/g)].map((m) => m[1]!),
        ...[...source.matchAll(/^ {2}(?:private|protected)\s+(?:readonly\s+)?(?:async\s+)?([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]!),
      ]);
      for (const member of d.members) {
        assert.ok(!member.name.startsWith('#'), `${tag}.${member.name} is #private`);
        assert.ok(member.privacy !== 'private' && member.privacy !== 'protected', `${tag}.${member.name} is ${member.privacy}`);
        assert.ok(!hidden.has(member.name), `${tag}.${member.name} is internal state`);
      }
    });

    it(`<${tag}>: every public method has its parameters and return type, and a description`, () => {
      const d = found.get(tag)!;
      const methods = declaredMethods(readFileSync(file, 'utf8'));
      for (const name of methods) {
        const member = d.members.find((m) => m.name === name && m.kind === 'method');
        assert.ok(member, `${tag}.${name}() is missing`);
        assert.ok(member.return?.type?.text, `${tag}.${name}() has no return type`);
        assert.ok(member.description?.trim(), `${tag}.${name}() has no description`);
        for (const parameter of member.parameters ?? []) assert.ok(parameter.type?.text, `${tag}.${name}(${parameter.name}) has no type`);
      }
      for (const member of d.members.filter((m) => m.kind === 'method')) assert.ok(methods.includes(member.name), `${tag}.${member.name}() is not in the source`);
    });

    it(`<${tag}>: every part in the templates is documented; parts, slots and CSS properties are described, properties with defaults`, () => {
      const d = found.get(tag)!;
      const parts = new Set((d.cssParts ?? []).map((p) => p.name));
      const sources = tag === 'click-to-call'
        // The controls, settings, pre-call check and callback form render into its shadow root.
        ? [file, 'src/elements/devices.ts', 'src/elements/level.ts', 'src/elements/phone.ts', 'src/elements/readiness.ts']
        : [file];
      for (const source of sources) {
        for (const part of templateParts(readFileSync(source, 'utf8'))) assert.ok(parts.has(part), `${tag}: part "${part}" (${source}) is not documented`);
      }
      for (const item of [...(d.cssParts ?? []), ...(d.slots ?? []), ...(d.cssProperties ?? [])]) {
        assert.ok(item.description?.trim(), `${tag}: ${item.name || 'default slot'} has no description`);
      }
      assert.ok((d.cssProperties ?? []).length > 0, `${tag} documents no CSS property`);
      for (const property of d.cssProperties ?? []) {
        assert.match(property.name, /^--c2c-[a-z-]+$/);
        assert.ok(property.default, `${property.name} has no default`);
      }
      const used = new Set(sources.flatMap((s) => [...readFileSync(s, 'utf8').matchAll(/var\((--c2c-[a-z-]+)/g)].map((m) => m[1]!)));
      for (const name of used) assert.ok(d.cssProperties!.some((p) => p.name === name), `${tag}: ${name} is used but not documented`);
    });
  }

  it('<click-to-call>: every event of HTMLElementEventMap is documented with its detail type', () => {
    const d = found.get('click-to-call')!;
    const map = readFileSync('src/events/index.ts', 'utf8');
    const declared = [...map.matchAll(/'(c2c-[a-z-]+)':\s*(CustomEvent<[^>]+>)/g)].map((m) => [m[1]!, m[2]!] as const);
    assert.ok(declared.length >= 5, 'the event map pattern is stale');
    for (const [name, type] of declared) {
      const event = d.events?.find((e) => e.name === name);
      assert.ok(event, `${name} is not documented (add @event to the class JSDoc)`);
      assert.equal(event.type?.text, type, `${name} type`);
      assert.ok(event.description?.trim(), `${name} has no description`);
    }
    for (const event of d.events ?? []) assert.ok(declared.some(([name]) => name === event.name), `${event.name} is documented but not in HTMLElementEventMap`);
  });

  it('literal unions are written out for IDEs and Storybook (mode, state)', () => {
    const c2c = found.get('click-to-call')!;
    const mode = c2c.attributes!.find((a) => a.name === 'mode')!;
    assert.equal(mode.type?.text, "'webrtc' | 'callback' | undefined");
    for (const d of found.values()) {
      const state = d.attributes!.find((a) => a.name === 'state')!;
      assert.match(state.type!.text, /^'idle' \| 'authorizing' \| .* \| 'failed'$/);
    }
  });
});
