/**
 * The package as a consumer gets it: `npm pack` (no network), unpacked into a throwaway project
 * whose node_modules holds the tarball's contents and, as symlinks into this repository's
 * node_modules, the dependencies npm would install beside it (the transitive closure of
 * `dependencies`, nothing more: a missing declaration fails here, as it would for a user).
 * Then Node imports `click-to-call/server` and mints a session, tsc type-checks a consumer of
 * both entries under `bundler` and `nodenext` resolution (and refuses a consumer with type
 * errors), and the tarball's file list is checked. Run after `npm run build`.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startHuaweiSimulator, type HuaweiSimulator } from '../../../src/sandbox/huawei-simulator.ts';

const repo = resolve('.');
const tsc = join(repo, 'node_modules', 'typescript', 'bin', 'tsc');
const SIGNING_KEY = { kid: 'pack-test', secret: 'pack-test-signing-key-0123456789abcdef' };

interface Packed {
  files: string[];
  dir: string;
}

/** The names `pkg` needs at run time, transitively, as npm would hoist them. */
function dependencyClosure(names: string[], seen = new Set<string>()): Set<string> {
  for (const name of names) {
    if (seen.has(name)) continue;
    const manifest = join(repo, 'node_modules', name, 'package.json');
    // Optional dependencies of dependencies that this platform did not install.
    if (!existsSync(manifest)) continue;
    seen.add(name);
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { dependencies?: Record<string, string>; peerDependencies?: Record<string, string> };
    dependencyClosure([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})], seen);
  }
  return seen;
}

function link(consumer: string, name: string): void {
  const target = join(consumer, 'node_modules', name);
  if (existsSync(target)) return;
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(join(repo, 'node_modules', name), target, 'dir');
}

function pack(work: string): Packed {
  // --ignore-scripts: no prepack hook may rebuild or reach the network.
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const [info] = JSON.parse(out) as Array<{ filename: string; files: Array<{ path: string }> }>;
  const dir = join(work, 'consumer', 'node_modules', 'click-to-call');
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, info!.filename), '-C', dir, '--strip-components=1']);
  return { files: info!.files.map((f) => f.path).sort(), dir };
}

function runTsc(consumer: string, project: string): { code: number; output: string } {
  const result = spawnSync(process.execPath, [tsc, '-p', project], { cwd: consumer, encoding: 'utf8' });
  return { code: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

describe('the npm package, as a consumer installs it', () => {
  let work: string;
  let consumer: string;
  let packed: Packed;
  let simulator: HuaweiSimulator;

  before(async () => {
    work = mkdtempSync(join(tmpdir(), 'c2c-pack-'));
    consumer = join(work, 'consumer');
    packed = pack(work);
    const pkg = JSON.parse(readFileSync(join(packed.dir, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; optionalDependencies?: Record<string, string> };
    // Optional ones too (ws, @roamhq/wrtc: the sandbox's agent), as npm installs them where it can.
    for (const name of dependencyClosure([...Object.keys(pkg.dependencies), ...Object.keys(pkg.optionalDependencies ?? {})])) link(consumer, name);
    // The consumer's own dev dependency: the server entry's types name node:http.
    link(consumer, '@types/node');
    // A React app's own dev dependencies, for the click-to-call/react typings.
    for (const name of dependencyClosure(['@types/react'])) link(consumer, name);
    // An Angular app's own dependency, for click-to-call/angular (the optional peer).
    for (const name of dependencyClosure(['@angular/core'])) link(consumer, name);
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
    for (const [name, file] of Object.entries(FIXTURES)) writeFileSync(join(consumer, name), file);
    simulator = await startHuaweiSimulator({ appKey: 'pack-key', appSecret: 'pack-secret-0123', channelId: 'pack-channel', script: { outcome: 'hold' } });
  });

  after(async () => {
    await simulator?.close();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('the tarball holds the builds, types, manifest, demo and CLI, and nothing from src/, test/ or CI', () => {
    const allowed = [
      /^package\.json$/,
      /^README\.md$/,
      /^LICENSE$/,
      /^custom-elements\.json$/,
      /^bin\/c2c-server\.js$/,
      /^dist\/click-to-call(-[a-z]+-[\w-]+)?\.js(\.map)?$/,
      /^dist\/server\/[\w-]+\.js(\.map)?$/,
      /^dist\/types\/[\w/.-]+\.d\.ts$/,
      /^dist\/frameworks\/(angular\/)?[\w-]+\.(d\.ts|js)$/,
      /^demo\/[\w./-]+\.(html|js|css|svg|png|json)$/,
    ];
    const unexpected = packed.files.filter((file) => !allowed.some((re) => re.test(file)));
    assert.deepEqual(unexpected, [], 'files outside the intended set');
    for (const needed of ['dist/click-to-call.js', 'dist/server/index.js', 'dist/server/cli.js', 'dist/server/sandbox.js', 'dist/types/index.d.ts', 'dist/types/server/index.d.ts', 'dist/frameworks/react.d.ts', 'dist/frameworks/vue.d.ts', 'dist/frameworks/svelte.d.ts', 'dist/frameworks/angular/index.js', 'dist/frameworks/angular/index.d.ts', 'custom-elements.json', 'bin/c2c-server.js', 'demo/index.html']) {
      assert.ok(packed.files.includes(needed), `${needed} is missing from the tarball`);
    }
    assert.ok(packed.files.some((f) => /^dist\/click-to-call-sip-.*\.js$/.test(f)), 'the media chunk is missing');
    // The sandbox makes its secrets up at start; a literal one in a shipped file would be a leak.
    for (const file of packed.files) {
      const text = readFileSync(join(packed.dir, file), 'utf8');
      assert.doesNotMatch(text, /sandbox-[a-z-]+-[0-9a-f]{24}/, `${file} holds a sandbox secret`);
      assert.doesNotMatch(text, /-----BEGIN [A-Z ]*PRIVATE KEY-----/, `${file} holds a private key`);
    }
  });

  test('every exports target and the types entries exist in the tarball', () => {
    const pkg = JSON.parse(readFileSync(join(packed.dir, 'package.json'), 'utf8'));
    const targets: string[] = [pkg.types, pkg.main, pkg.customElements, ...Object.values(pkg.bin as Record<string, string>)];
    for (const value of Object.values(pkg.exports as Record<string, string | Record<string, string>>)) {
      targets.push(...(typeof value === 'string' ? [value] : Object.values(value)));
    }
    for (const target of targets) assert.ok(existsSync(join(packed.dir, target)), `${target} is not in the tarball`);
    assert.equal(pkg.exports['.'].types, './dist/types/index.d.ts');
    assert.equal(pkg.exports['./server'].types, './dist/types/server/index.d.ts');
    assert.ok(Array.isArray(pkg.sideEffects) && pkg.sideEffects.includes('./dist/click-to-call.js'), 'the element entry is not marked as having side effects');
  });

  test('Node resolves click-to-call/server from the unpacked package and the handler mints a session', async () => {
    // Asynchronous: the simulator that answers the child lives in this process.
    const result = await promisify(execFile)(process.execPath, ['server.mjs'], {
      cwd: consumer,
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, SIM_URL: simulator.url, SIGNING_SECRET: SIGNING_KEY.secret },
    });
    const seen = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
    assert.equal(seen.status, 201, JSON.stringify(seen.body));
    assert.equal(typeof seen.body.token, 'string');
    assert.equal(seen.body.mode, 'webrtc');
    // The package that answered is the unpacked one, not this repository's sources.
    assert.ok(seen.resolved.startsWith(`file://${packed.dir}/dist/server/`), seen.resolved);
    assert.ok(seen.manifest.startsWith(`file://${packed.dir}/custom-elements.json`), seen.manifest);
    assert.doesNotMatch(result.stdout, /pack-secret-0123/);
  });

  test('npx c2c-server --sandbox from the installed package serves the demo page and the widget', async () => {
    const child = spawn(process.execPath, [join(packed.dir, 'bin', 'c2c-server.js'), '--sandbox', '--port', '0'], { cwd: consumer, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr.setEncoding('utf8').on('data', (text: string) => (output += text));
    try {
      const url = await new Promise<string>((resolveUrl, reject) => {
        const timer = setTimeout(() => reject(new Error(`the sandbox did not start within 20 s: ${output}`)), 20_000);
        child.stdout.setEncoding('utf8').on('data', (text: string) => {
          output += text;
          const found = /Sandbox ready: open (http:\/\/[^\s/]+)\//.exec(output);
          if (found) {
            clearTimeout(timer);
            resolveUrl(found[1]!);
          }
        });
        child.once('exit', (code) => reject(new Error(`the sandbox exited (${code}): ${output}`)));
      });
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<click-to-call\b/);
      const script = await fetch(`${url}/dist/click-to-call.js`);
      assert.equal(script.status, 200);
      assert.equal(await script.text(), readFileSync(join(packed.dir, 'dist', 'click-to-call.js'), 'utf8'));
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
    }
  });

  test('tsc resolves click-to-call/react from the package: JSX props and listeners typed, mistakes refused', () => {
    const good = runTsc(consumer, 'tsconfig.react.json');
    assert.equal(good.code, 0, good.output);
    const bad = runTsc(consumer, 'tsconfig.react.bad.json');
    const lines = [...bad.output.matchAll(/^bad-react\.tsx\((\d+),\d+\): error (TS\d+)/gm)].map((m) => Number(m[1]));
    assert.deepEqual([...new Set(lines)].sort((a, b) => a - b), BAD_REACT_LINES, bad.output);
    assert.doesNotMatch(bad.output, /^(?!bad-react\.tsx)\S+\(\d+,\d+\): error/m, bad.output);
  });

  test('ngc (strictTemplates) resolves click-to-call/angular from the package: bindings typed, a wrong mode refused', () => {
    const ngc = (project: string) => spawnSync(join(repo, 'node_modules', '.bin', 'ngc'), ['-p', project], { cwd: consumer, encoding: 'utf8' });
    const good = ngc('tsconfig.angular.json');
    assert.equal(good.status, 0, `${good.stdout}${good.stderr}`);
    const bad = ngc('tsconfig.angular.bad.json');
    assert.notEqual(bad.status, 0, 'the wrong mode was accepted');
    const output = `${bad.stdout}${bad.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
    const errors = [...output.matchAll(/^(\S+?):(\d+):\d+ - error (TS\d+|NG\d+)/gm)].map((m) => `${m[1]}:${m[2]} ${m[3]}`);
    assert.deepEqual(errors, ['bad-angular.ts:6 TS2322'], output);
  });

  for (const resolution of ['bundler', 'nodenext'] as const) {
    test(`tsc (moduleResolution ${resolution}) accepts a consumer of both entries and rejects wrong types`, () => {
      const good = runTsc(consumer, `tsconfig.${resolution}.json`);
      assert.equal(good.code, 0, good.output);
      const bad = runTsc(consumer, `tsconfig.${resolution}.bad.json`);
      assert.notEqual(bad.code, 0, 'the wrong types were accepted');
      // Each deliberate mistake is reported on its own line, and nothing else is.
      const lines = [...bad.output.matchAll(/^bad\.ts\((\d+),\d+\): error (TS\d+)/gm)].map((m) => Number(m[1]));
      assert.deepEqual([...new Set(lines)].sort((a, b) => a - b), BAD_LINES, bad.output);
      assert.doesNotMatch(bad.output, /^(?!bad\.ts)\S+\(\d+,\d+\): error/m, bad.output);
    });
  }
});

const GOOD_TS = `import { CallError, CallState, ClickToCall, ErrorCode, type CallSnapshot, type ReadinessReport } from 'click-to-call';
import { createC2CHandler, parseConfig, type C2CConfigInput, type C2CHandler } from 'click-to-call/server';

// Resolution that silently failed would make these any: refuse that.
type IsAny<T> = 0 extends 1 & T ? true : false;
const notAny: [IsAny<ClickToCall>, IsAny<C2CHandler>, IsAny<CallSnapshot>] = [false, false, false];

const el = document.createElement('click-to-call');
const typed: ClickToCall = el;
typed.endpoint = '/c2c';
typed.destination = 'sales';
typed.mode = 'callback';
typed.setMuted(true);
el.addEventListener('c2c-state-change', (event) => {
  const state: CallState = event.detail.state;
  if (state === CallState.Failed && event.detail.error) console.log(event.detail.error.code);
});
el.addEventListener('c2c-call-start', (event) => event.detail.destination.toUpperCase());
const report: Promise<ReadinessReport> = el.checkReadiness();
const codes: string[] = [ErrorCode.RateLimited];
const status = document.querySelector('call-status');
if (status) status.htmlFor = 'call';
if (el.snapshot.error instanceof CallError) throw el.snapshot.error;

const config: C2CConfigInput = {
  allowedOrigins: ['https://shop.example'],
  destinations: { sales: { provider: 'huawei' } },
  providers: { huawei: { baseUrl: 'https://aicc.example', appKey: 'k', appSecret: 's', channelId: 'c' } },
};
const handler: C2CHandler = createC2CHandler(parseConfig(config));
const answer: Promise<Response> = handler(new Request('https://shop.example/c2c/session', { method: 'POST' }));
export { notAny, report, codes, answer };
`;

/** bad.ts: one mistake a line, on the lines listed in BAD_LINES. */
const BAD_TS = `import { CallState, ClickToCall } from 'click-to-call';
import { createC2CHandler } from 'click-to-call/server';
declare const el: ClickToCall;
el.setMuted('yes');
const state: CallState = 'on-hold';
createC2CHandler({ destinations: 42 });
el.addEventListener('c2c-connected', (event) => event.detail.nope);
export { state };
`;
const BAD_LINES = [4, 5, 6, 7];

const GOOD_REACT = `import type {} from 'click-to-call/react';
import type { CallSnapshot } from 'click-to-call';
export const view = (onState: (s: CallSnapshot) => void) => (
  <click-to-call endpoint="/c2c" destination="sales" mode="webrtc" onc2c-state-change={(e) => onState(e.detail)}>
    <call-status for="call" />
  </click-to-call>
);
`;
/** bad-react.tsx: one mistake a line, on the lines listed in BAD_REACT_LINES. */
const BAD_REACT = `import type {} from 'click-to-call/react';
export const a = <click-to-call endpoint="/c2c" mode="sip" />;
export const b = <click-to-call endpoint="/c2c" onc2c-connected={(e) => e.detail.nope} />;
`;
const BAD_REACT_LINES = [2, 3];

/** A standalone component as an Angular app writes it, the directives from the package. */
const GOOD_ANGULAR = `import { Component, signal } from '@angular/core';
import type { CallMode } from 'click-to-call';
import { CLICK_TO_CALL_DIRECTIVES } from 'click-to-call/angular';
@Component({
  selector: 'app-contact',
  imports: [CLICK_TO_CALL_DIRECTIVES],
  template: \`<click-to-call id="call" endpoint="/c2c" destination="sales" [mode]="mode()" layout="compact" disabled
    (c2c-state-change)="state.set($event.detail.state)"></click-to-call>
    <call-status for="call"></call-status>\`,
})
export class ContactComponent {
  readonly mode = signal<CallMode>('callback');
  readonly state = signal('idle');
}
`;
/** bad-angular.ts: its template's one mistake is on line 6 of the file. */
const BAD_ANGULAR = `import { Component } from '@angular/core';
import { ClickToCallDirective } from 'click-to-call/angular';
@Component({
  selector: 'app-bad',
  imports: [ClickToCallDirective],
  template: '<click-to-call [mode]="\\'sip\\'"></click-to-call>',
})
export class BadComponent {}
`;

function angularTsconfig(file: string): string {
  const { compilerOptions } = JSON.parse(tsconfig('bundler', file)) as { compilerOptions: Record<string, unknown> };
  // Angular's own declarations are not ours to check; ngc's decorators need these two.
  return JSON.stringify({
    compilerOptions: { ...compilerOptions, skipLibCheck: true, experimentalDecorators: true, types: [] },
    angularCompilerOptions: { strictTemplates: true },
    files: [file],
  });
}

function tsconfig(resolution: 'bundler' | 'nodenext', file: string): string {
  return JSON.stringify({
    compilerOptions: {
      ...(file.endsWith('.tsx') ? { jsx: 'react-jsx' } : {}),
      target: 'ES2022',
      module: resolution === 'bundler' ? 'ESNext' : 'NodeNext',
      moduleResolution: resolution,
      lib: ['ES2023', 'DOM', 'DOM.Iterable'],
      types: ['node'],
      strict: true,
      noEmit: true,
      // Our declarations are checked too, not skipped; only the third-party ones are trusted.
      skipLibCheck: false,
      skipDefaultLibCheck: true,
    },
    files: [file],
  });
}

const SERVER_MJS = `import { createC2CHandler } from 'click-to-call/server';
const handler = createC2CHandler({
  allowedOrigins: ['https://shop.example'],
  destinations: { sales: { provider: 'huawei' } },
  signingKeys: [{ kid: 'pack-test', secret: process.env.SIGNING_SECRET }],
  providers: { huawei: { baseUrl: process.env.SIM_URL, appKey: 'pack-key', appSecret: 'pack-secret-0123', channelId: 'pack-channel' } },
});
const answer = await handler(new Request('http://localhost/session', {
  method: 'POST',
  headers: { origin: 'https://shop.example', 'content-type': 'application/json' },
  body: JSON.stringify({ destination: 'sales' }),
}));
const body = await answer.json();
handler.close();
console.log(JSON.stringify({
  status: answer.status,
  body,
  resolved: import.meta.resolve('click-to-call/server'),
  manifest: import.meta.resolve('click-to-call/custom-elements.json'),
}));
`;

const FIXTURES: Record<string, string> = {
  'good.ts': GOOD_TS,
  'bad.ts': BAD_TS,
  'server.mjs': SERVER_MJS,
  'tsconfig.bundler.json': tsconfig('bundler', 'good.ts'),
  'tsconfig.bundler.bad.json': tsconfig('bundler', 'bad.ts'),
  'tsconfig.nodenext.json': tsconfig('nodenext', 'good.ts'),
  'tsconfig.nodenext.bad.json': tsconfig('nodenext', 'bad.ts'),
  'good-react.tsx': GOOD_REACT,
  'bad-react.tsx': BAD_REACT,
  'tsconfig.react.json': tsconfig('bundler', 'good-react.tsx'),
  'tsconfig.react.bad.json': tsconfig('bundler', 'bad-react.tsx'),
  'good-angular.ts': GOOD_ANGULAR,
  'bad-angular.ts': BAD_ANGULAR,
  'tsconfig.angular.json': angularTsconfig('good-angular.ts'),
  'tsconfig.angular.bad.json': angularTsconfig('bad-angular.ts'),
};
