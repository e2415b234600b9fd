// The framework typings (scripts/framework-types.mjs, from custom-elements.json) checked by
// each framework's own checker: a good fixture must pass, a bad one must fail exactly on the
// lines its `expect: TSnnnn` comments point at. See test/types/README.md.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import { promisify } from 'node:util';
// @ts-expect-error: a plain .mjs build script without declarations
import { angularSource, buildAngularDirectives, frameworkTypings, readElements, writeFrameworkTypings } from '../../../scripts/framework-types.mjs';

const root = resolve(import.meta.dirname, '../../..');
const fixtures = join(root, 'test/types');
const bin = (name: string) => join(root, 'node_modules/.bin', name);
const run = promisify(execFile);

interface Diagnostic {
  file: string;
  line: number;
  code: string;
}

interface Outcome {
  exitCode: number;
  diagnostics: Diagnostic[];
  output: string;
}

async function check(command: string, args: string[], parse: (output: string) => Diagnostic[]): Promise<Outcome> {
  let exitCode = 0;
  let output: string;
  try {
    const done = await run(command, args, { cwd: root, maxBuffer: 16 * 1024 * 1024, timeout: 90_000 });
    output = done.stdout + done.stderr;
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    exitCode = failed.code;
    output = (failed.stdout ?? '') + (failed.stderr ?? '');
  }
  return { exitCode, diagnostics: parse(output), output };
}

// Tool outputs, reduced to file name, 1-based line and TS code.
const base = (file: string) => file.split(/[\\/]/).pop()!;
function tscStyle(output: string): Diagnostic[] {
  return [...output.matchAll(/^(\S+?)\((\d+),\d+\): error (TS\d+)/gm)].map((m) => ({ file: base(m[1]!), line: Number(m[2]), code: m[3]! }));
}
function ngcStyle(output: string): Diagnostic[] {
  // ngc always colours its output.
  const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
  return [...plain.matchAll(/^(\S+?):(\d+):\d+ - error (TS\d+|NG\d+)/gm)].map((m) => ({ file: base(m[1]!), line: Number(m[2]), code: m[3]! }));
}
function svelteStyle(output: string): Diagnostic[] {
  const found: Diagnostic[] = [];
  for (const line of output.split('\n')) {
    const json = line.replace(/^\d+ /, '');
    if (!json.startsWith('{')) continue;
    const d = JSON.parse(json) as { type: string; filename: string; start: { line: number }; code?: number };
    if (d.type === 'ERROR') found.push({ file: base(d.filename), line: d.start.line + 1, code: `TS${d.code ?? '?'}` });
  }
  return found;
}

/** `expect: TS2322` comments: the error is expected on the next line. */
function expected(file: string): Diagnostic[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const out: Diagnostic[] = [];
  lines.forEach((text, i) => {
    const m = /expect: ((?:TS|NG)\d+)/.exec(text);
    if (m) out.push({ file: base(file), line: i + 2, code: m[1]! });
  });
  assert.ok(out.length >= 3, `${file} names its expected errors`);
  return out;
}

const sorted = (list: Diagnostic[]) => [...list].sort((a, b) => a.line - b.line || a.code.localeCompare(b.code)).map((d) => `${d.file}:${d.line} ${d.code}`);

/**
 * One checker run per framework over the good fixture, the bad one and the example page: its
 * errors must be exactly the bad fixture's expected ones (none in the good files).
 */
interface Framework {
  name: string;
  check: () => Promise<Outcome>;
  badFile: string;
}

const frameworks: Framework[] = [
  {
    name: 'React 19 (tsc)',
    check: () => check(bin('tsc'), ['-p', join(fixtures, 'react/tsconfig.json'), '--pretty', 'false'], tscStyle),
    badFile: join(fixtures, 'react/bad.tsx'),
  },
  {
    name: 'Vue 3 (vue-tsc, strictTemplates)',
    check: () => check(bin('vue-tsc'), ['-p', join(fixtures, 'vue/tsconfig.json'), '--pretty', 'false'], tscStyle),
    badFile: join(fixtures, 'vue/Bad.vue'),
  },
  {
    name: 'Svelte 5 (svelte-check)',
    check: () =>
      check(
        bin('svelte-check'),
        ['--workspace', join(fixtures, 'svelte'), '--tsconfig', join(fixtures, 'svelte/tsconfig.json'), '--output', 'machine-verbose'],
        svelteStyle,
      ),
    badFile: join(fixtures, 'svelte/Bad.svelte'),
  },
  {
    name: 'Angular (ngc, strictTemplates)',
    check: () => check(bin('ngc'), ['-p', join(fixtures, 'angular/tsconfig.json')], ngcStyle),
    badFile: join(fixtures, 'angular/bad.component.html'),
  },
];

interface ManifestElement {
  tag: string;
  props: Array<{ name: string; property: string; type: string }>;
  events: Array<{ name: string }>;
}

describe('framework typings', () => {
  const manifest = JSON.parse(readFileSync(join(root, 'custom-elements.json'), 'utf8'));
  // Two checkers at a time: the machine is shared, and each is mostly one busy core.
  const outcomes = new Map<string, Promise<Outcome>>();

  before(() => {
    writeFrameworkTypings(join(root, 'dist/frameworks'), join(root, 'custom-elements.json'));
    // click-to-call/angular as the fixtures read it (ngc, partial compilation: about 2 s).
    buildAngularDirectives(join(root, 'dist/frameworks'), join(root, 'custom-elements.json'));
    const lanes: Array<Promise<unknown>> = [Promise.resolve(), Promise.resolve()];
    frameworks.forEach((fw, i) => {
      const lane = i % lanes.length;
      const result = lanes[lane]!.then(() => fw.check());
      lanes[lane] = result.catch(() => undefined);
      outcomes.set(fw.name, result);
    });
  });

  test('every settable attribute, property and event of the manifest is typed', () => {
    const files = frameworkTypings(manifest) as Record<string, string>;
    const elements = readElements(manifest) as ManifestElement[];
    const shared = files['elements.d.ts']!;
    const declarations = manifest.modules.flatMap((m: { declarations?: unknown[] }) => m.declarations ?? []) as Array<{
      tagName?: string;
      attributes?: Array<{ name: string; fieldName?: string }>;
      events?: Array<{ name: string; type?: { text: string } }>;
      members?: Array<{ kind: string; name: string; description?: string }>;
    }>;
    const eventMapSource = readFileSync(join(root, 'src/events/index.ts'), 'utf8');
    for (const d of declarations.filter((x) => x.tagName)) {
      const el = elements.find((e) => e.tag === d.tagName)!;
      for (const a of d.attributes ?? []) {
        const member = d.members?.find((m) => m.name === a.fieldName);
        if (/Read-only/.test(member?.description ?? '')) {
          assert.ok(!el.props.some((p) => p.name === a.name), `${d.tagName} read-only ${a.name} must not be settable`);
          continue;
        }
        assert.match(shared, new RegExp(`\\b${a.name}\\?:`), `${d.tagName} attribute ${a.name}`);
      }
      for (const e of d.events ?? []) {
        assert.ok(shared.includes(`'${e.name}': ${e.type!.text};`), `${d.tagName} event ${e.name}`);
        // Plain TypeScript and Angular's `$event` read the global map instead.
        assert.ok(eventMapSource.includes(`'${e.name}': ${e.type!.text};`), `HTMLElementEventMap lacks ${e.name}`);
      }
      for (const file of ['react.d.ts', 'vue.d.ts', 'svelte.d.ts']) assert.ok(files[file]!.includes(`'${d.tagName}'`), `${file} lacks ${d.tagName}`);
    }
    assert.deepEqual(elements.map((e) => e.tag), ['call-status', 'click-to-call']);
  });

  test('the Angular directives have an input for every settable property, written to the element as a property', () => {
    const source = angularSource(manifest) as string;
    for (const el of readElements(manifest) as ManifestElement[]) {
      assert.ok(source.includes(`@Directive({ selector: '${el.tag}' })`), `no directive for ${el.tag}`);
      for (const p of el.props) {
        const input = `  set ${p.name}(value: ${p.type}) {\n    this.element.${p.property} = value;\n  }`;
        assert.ok(source.includes(input), `${el.tag} input ${p.name}:\n${input}`);
      }
    }
    // Each property once per directive, nothing else bound: a read-only one (`state`) is no input.
    const inputs = source.match(/@Input\(/g) ?? [];
    assert.equal(inputs.length, (readElements(manifest) as ManifestElement[]).reduce((n, el) => n + el.props.length, 0));
    assert.doesNotMatch(source, /set state\(/);
    // No outputs: Angular listens to the DOM event of a `(c2c-...)` binding whatever the directive
    // declares, so an output of the same name would call each handler twice.
    assert.doesNotMatch(source, /@Output|output\(/);
  });

  for (const fw of frameworks) {
    test(`${fw.name}: the good fixture and the example pass, the bad fixture fails exactly where expected`, async () => {
      const outcome = await outcomes.get(fw.name)!;
      assert.notEqual(outcome.exitCode, 0, `the bad fixture passed:\n${outcome.output}`);
      assert.deepEqual(sorted(outcome.diagnostics), sorted(expected(fw.badFile)), outcome.output);
      // Every error the tool printed was parsed above (none hides in another format).
      const printed = outcome.output.replace(/\u001b\[[0-9;]*m/g, '').match(/\berror\b[^\n]*?(TS|NG)\d+|"type":"ERROR"/g) ?? [];
      assert.equal(printed.length, outcome.diagnostics.length, outcome.output);
    });
  }
});
