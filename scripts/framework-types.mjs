// Writes the framework typings (React 19 JSX, Vue GlobalComponents, Svelte 5 elements) and the
// Angular directives' source from custom-elements.json, so an attribute or event added to an
// element's JSDoc reaches every framework at the next build instead of drifting in hand-kept
// copies. The Angular source is then compiled by ngc (partial compilation, as Angular libraries
// ship) into dist/frameworks/angular/.
//   node scripts/framework-types.mjs [outDir]      (default dist/frameworks)
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const HEADER = '// Generated from custom-elements.json by scripts/framework-types.mjs: do not edit.\n';
// Type names the manifest's type texts may use that are not exports of the package.
const BUILT_IN = new Set(['CustomEvent', 'Event', 'Promise', 'ReadonlyArray', 'Array', 'Record', 'HTMLElement']);

/** Pascal-case interface prefix of a tag: `click-to-call` -> `ClickToCall`. */
const pascal = (tag) => tag.replace(/(^|-)([a-z0-9])/g, (_, __, c) => c.toUpperCase());

const doc = (text, indent) => {
  if (!text) return '';
  const lines = text.trim().split('\n');
  return lines.length === 1
    ? `${indent}/** ${lines[0]} */\n`
    : `${indent}/**\n${lines.map((l) => `${indent} * ${l.trim()}`).join('\n')}\n${indent} */\n`;
};

// The elements document read-only properties with "Read-only" (the manifest marks only getters
// readonly); a framework must not write those, so they are left out of the settable props.
const isReadOnly = (member) => member.readonly === true || /\bRead-only\b/.test(member.description ?? '');

/** What the typings need from the manifest, per element. */
export function readElements(manifest) {
  const elements = [];
  for (const module of manifest.modules ?? []) {
    for (const d of module.declarations ?? []) {
      if (!d.customElement || !d.tagName) continue;
      const fields = (d.members ?? []).filter(
        (m) => m.kind === 'field' && !m.static && !m.privacy && !m.name.startsWith('_') && !isReadOnly(m),
      );
      // `property`: the element's property a value is written to (differs for `for` only).
      const props = fields.map((m) => ({ name: m.name, property: m.name, type: m.type?.text ?? 'unknown', description: m.description }));
      // An attribute named apart from its property (`for` / `htmlFor`) is offered under both names:
      // templates that set attributes use the first, those that set properties the second.
      for (const a of d.attributes ?? []) {
        const field = fields.find((f) => f.name === a.fieldName);
        if (field && a.name !== field.name && !props.some((p) => p.name === a.name)) {
          props.push({ name: a.name, property: field.name, type: field.type?.text ?? 'string', description: `Attribute form of \`${field.name}\`.` });
        }
      }
      const events = (d.events ?? []).map((e) => ({ name: e.name, type: e.type?.text ?? 'Event', description: e.description }));
      elements.push({ tag: d.tagName, className: d.name, name: pascal(d.tagName), props, events });
    }
  }
  elements.sort((a, b) => a.tag.localeCompare(b.tag));
  return elements;
}

function typeNames(elements) {
  const names = new Set();
  const add = (text) => {
    for (const id of text.match(/\b[A-Z][A-Za-z0-9]*\b/g) ?? []) if (!BUILT_IN.has(id)) names.add(id);
  };
  for (const el of elements) {
    names.add(el.className);
    for (const p of el.props) add(p.type);
    for (const e of el.events) add(e.type);
  }
  return [...names].sort();
}

const key = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`);

/** elements.d.ts: the framework-neutral props and event maps the other files build on. */
function elementsFile(elements) {
  let out = HEADER;
  out += `import type { ${typeNames(elements).join(', ')} } from 'click-to-call';\n\n`;
  for (const el of elements) {
    out += `/** The settable properties of \`<${el.tag}>\` (attributes where the name differs). */\n`;
    out += `export interface ${el.name}Props {\n`;
    for (const p of el.props) out += doc(p.description, '  ') + `  ${key(p.name)}?: ${p.type};\n`;
    out += '}\n\n';
    out += `/** The events of \`<${el.tag}>\`, by name. */\n`;
    out += `export interface ${el.name}EventMap {\n`;
    for (const e of el.events) out += doc(e.description, '  ') + `  '${e.name}': ${e.type};\n`;
    out += '}\n\n';
  }
  out += `/** Every element of the package: tag -> class, props and events. */\nexport interface ElementTypes {\n`;
  for (const el of elements) {
    out += `  '${el.tag}': { element: ${el.className}; props: ${el.name}Props; events: ${el.name}EventMap };\n`;
  }
  out += '}\n';
  return out;
}

function reactFile(elements) {
  let out = HEADER;
  out += `// React 19 sets a custom element's props as properties when the element has them, and adds
// \`on<event-name>\` props as listeners for the event of that exact name (case kept).
import type { DetailedHTMLProps, HTMLAttributes } from 'react';
import type { ElementTypes } from './elements.js';

export type * from './elements.js';

/** \`on<event-name>\` listener props for an event map. */
export type ReactEventProps<Events> = {
  [K in keyof Events & string as \`on\${K}\`]?: (event: Events[K]) => void;
};

/** The JSX props of one of the package's elements. */
export type ReactElementProps<Tag extends keyof ElementTypes> = DetailedHTMLProps<
  HTMLAttributes<ElementTypes[Tag]['element']>,
  ElementTypes[Tag]['element']
> &
  ElementTypes[Tag]['props'] &
  ReactEventProps<ElementTypes[Tag]['events']>;

declare module 'react' {
  namespace JSX {
    interface IntrinsicElements {
${elements.map((el) => `      '${el.tag}': ReactElementProps<'${el.tag}'>;`).join('\n')}
    }
  }
}
`;
  return out;
}

function vueFile(elements) {
  let out = HEADER;
  out += `// Vue turns \`@c2c-state-change\` into an \`onC2cStateChange\` prop and, on a custom element, back
// into a listener for \`c2c-state-change\`; vue-tsc checks it against these props.
import type { DefineComponent, HTMLAttributes } from 'vue';
import type { ElementTypes } from './elements.js';

export type * from './elements.js';

type Camelize<S extends string> = S extends \`\${infer Head}-\${infer Tail}\` ? \`\${Head}\${Capitalize<Camelize<Tail>>}\` : S;

/** \`onEventName\` listener props for an event map, as Vue names them. */
export type VueEventProps<Events> = {
  [K in keyof Events & string as \`on\${Capitalize<Camelize<K>>}\`]?: (event: Events[K]) => void;
};

/** The template props of one of the package's elements. */
export type VueElementProps<Tag extends keyof ElementTypes> = HTMLAttributes &
  ElementTypes[Tag]['props'] &
  VueEventProps<ElementTypes[Tag]['events']>;

declare module 'vue' {
  // Vue 3 dropped the \`slot\` attribute from its own syntax, but a custom element's light DOM
  // needs the native one (\`<span slot="label">\`) and strictTemplates would reject it.
  interface HTMLAttributes {
    slot?: string;
  }
  interface GlobalComponents {
${elements.map((el) => `    '${el.tag}': DefineComponent<VueElementProps<'${el.tag}'>>;`).join('\n')}
  }
}
`;
  return out;
}

function svelteFile(elements) {
  let out = HEADER;
  out += `// Svelte 5 sets a custom element's attributes as properties when the element has them, and an
// \`on<event-name>\` attribute listens for the event of that exact name.
import type { HTMLAttributes } from 'svelte/elements';
import type { ElementTypes } from './elements.js';

export type * from './elements.js';

/** \`on<event-name>\` listener attributes for an event map. */
export type SvelteEventProps<Events> = {
  [K in keyof Events & string as \`on\${K}\`]?: (event: Events[K]) => void;
};

/** The attributes of one of the package's elements in a Svelte template. */
export type SvelteElementProps<Tag extends keyof ElementTypes> = HTMLAttributes<ElementTypes[Tag]['element']> &
  ElementTypes[Tag]['props'] &
  SvelteEventProps<ElementTypes[Tag]['events']>;

declare module 'svelte/elements' {
  interface SvelteHTMLElements {
${elements.map((el) => `    '${el.tag}': SvelteElementProps<'${el.tag}'>;`).join('\n')}
  }
}
`;
  return out;
}

/** The Angular directive's class name for an element: `click-to-call` -> `ClickToCallDirective`. */
const directiveName = (el) => `${el.name}Directive`;

/**
 * index.ts of click-to-call/angular: a standalone directive per element whose inputs are the
 * element's settable properties, typed as the manifest types them, and written to the element as
 * properties. A directive matching the tag is what makes Angular's strictTemplates check
 * `[mode]="..."` (a DOM property binding is never checked). No outputs: Angular adds a DOM
 * listener for `(c2c-state-change)` whether or not a directive has an output of that name, so a
 * re-emitting output would run every handler twice; `$event` is typed by HTMLElementEventMap.
 */
export function angularSource(manifest) {
  const elements = readElements(manifest);
  const types = new Set();
  for (const el of elements) {
    types.add(el.className);
    for (const p of el.props) for (const id of p.type.match(/\b[A-Z][A-Za-z0-9]*\b/g) ?? []) if (!BUILT_IN.has(id)) types.add(id);
  }
  let out = HEADER;
  out += `// Compiled by ngc in partial compilation mode into dist/frameworks/angular/.
import { Directive, ElementRef, Input, inject } from '@angular/core';
import type { ${[...types].sort().join(', ')} } from 'click-to-call';

/**
 * A boolean input also takes the bare attribute (\`<click-to-call disabled>\`, an empty string),
 * as the element's own boolean attributes do; a string such as \`"false"\` is refused.
 */
export type BooleanInput = boolean | '';
function booleanInput(value: BooleanInput): boolean {
  return value !== false;
}

`;
  for (const el of elements) {
    out += `/**
 * Types the bindings of \`<${el.tag}>\` in Angular templates and writes each to the element as a
 * property. Register the element itself with \`import 'click-to-call'\`.
 */
@Directive({ selector: '${el.tag}' })
export class ${directiveName(el)} {
  private readonly element: ${el.className} = inject<ElementRef<${el.className}>>(ElementRef).nativeElement;
`;
    for (const p of el.props) {
      const boolean = p.type === 'boolean';
      out += '\n' + doc(p.description, '  ');
      out += `  @Input(${boolean ? '{ transform: booleanInput }' : ''})\n`;
      out += `  set ${key(p.name)}(value: ${p.type}) {\n    this.element.${p.property} = value;\n  }\n`;
    }
    out += '}\n\n';
  }
  out += `/** Every directive of the package, for a standalone component's \`imports\`. */\n`;
  out += `export const CLICK_TO_CALL_DIRECTIVES = [${elements.map(directiveName).join(', ')}] as const;\n`;
  return out;
}

/**
 * Generates the Angular directives' source into a scratch directory and compiles it with ngc
 * (`compilationMode: "partial"`, linked by the consumer's Angular build) into
 * `outDir/angular/`: index.js and index.d.ts. Needs dist/types (the package's declarations).
 */
export function buildAngularDirectives(outDir = 'dist/frameworks', manifestPath = 'custom-elements.json', scratch = '.cache/frameworks/angular') {
  const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
  const source = resolve(root, scratch);
  const target = resolve(root, outDir, 'angular');
  rmSync(source, { recursive: true, force: true });
  rmSync(target, { recursive: true, force: true });
  mkdirSync(source, { recursive: true });
  writeFileSync(join(source, 'index.ts'), angularSource(JSON.parse(readFileSync(resolve(root, manifestPath), 'utf8'))));
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'ES2022',
      moduleResolution: 'Bundler',
      lib: ['ES2023', 'DOM'],
      strict: true,
      declaration: true,
      experimentalDecorators: true,
      useDefineForClassFields: false,
      skipLibCheck: true,
      types: [],
      rootDir: '.',
      outDir: relative(source, target),
      // The package's own declarations, as a consumer resolves `click-to-call`.
      paths: { 'click-to-call': [relative(source, resolve(root, 'dist/types/index.d.ts'))] },
    },
    angularCompilerOptions: { compilationMode: 'partial', strictTemplates: true, strictInjectionParameters: true },
    files: ['index.ts'],
  };
  writeFileSync(join(source, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  execFileSync(join(root, 'node_modules/.bin/ngc'), ['-p', join(source, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
  return [join(target, 'index.js'), join(target, 'index.d.ts')];
}

/** File name -> content. The .js files let `import 'click-to-call/react'` resolve at run time. */
export function frameworkTypings(manifest) {
  const elements = readElements(manifest);
  const empty = '// Types only: see the .d.ts beside this file.\nexport {};\n';
  return {
    'elements.d.ts': elementsFile(elements),
    'react.d.ts': reactFile(elements),
    'react.js': empty,
    'vue.d.ts': vueFile(elements),
    'vue.js': empty,
    'svelte.d.ts': svelteFile(elements),
    'svelte.js': empty,
  };
}

export function writeFrameworkTypings(outDir = 'dist/frameworks', manifestPath = 'custom-elements.json') {
  const files = frameworkTypings(JSON.parse(readFileSync(manifestPath, 'utf8')));
  mkdirSync(outDir, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(outDir, name), text);
  return Object.keys(files).map((name) => join(outDir, name));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFrameworkTypings(process.argv[2]);
  buildAngularDirectives(process.argv[2]);
}
