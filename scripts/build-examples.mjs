// Builds the framework example pages (demo/frameworks/<name>/) into dist/examples/<name>/, where
// the sandbox serves them. Each page imports `click-to-call`, resolved to the built
// dist/click-to-call.js as a consumer's bundler resolves the package (and the Angular page
// `click-to-call/angular`, to dist/frameworks/angular/): run after the main build.
//   node scripts/build-examples.mjs [react|vue|svelte|angular ...]
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const TAGS = new Set(['click-to-call', 'call-status']);
const ANGULAR_OUT = join(root, '.cache/examples/angular');

const ANGULAR_DIRECTIVES = join(root, 'dist/frameworks/angular/index.js');

/**
 * Angular's npm packages, and click-to-call/angular, are partially compiled: the linker
 * finishes them for an AOT build, as the Angular CLI does for a library.
 */
async function angularLinker() {
  const { transformAsync } = await import('@babel/core');
  const { createEs2015LinkerPlugin } = await import('@angular/compiler-cli/linker/babel');
  const { ConsoleLogger, LogLevel, NodeJSFileSystem } = await import('@angular/compiler-cli');
  const linker = createEs2015LinkerPlugin({ fileSystem: new NodeJSFileSystem(), logger: new ConsoleLogger(LogLevel.warn), linkerJitMode: false });
  return {
    name: 'angular-linker',
    async transform(code, id) {
      const library = /node_modules[\\/]@angular[\\/]/.test(id) || id === ANGULAR_DIRECTIVES;
      if (!library || !code.includes('ɵɵngDeclare')) return null;
      const out = await transformAsync(code, { filename: id, plugins: [linker], configFile: false, babelrc: false, compact: false, sourceMaps: false });
      return out?.code ?? null;
    },
  };
}

/** Serves ngc's AOT output in place of the component sources Vite would otherwise read. */
function angularAot() {
  const source = join(root, 'demo/frameworks/angular');
  return {
    name: 'angular-aot',
    enforce: 'pre',
    load(id) {
      if (!id.startsWith(source) || !id.endsWith('.ts')) return null;
      const emitted = join(ANGULAR_OUT, relative(root, id)).replace(/\.ts$/, '.js');
      return readFileSync(emitted, 'utf8');
    },
  };
}

const frameworks = {
  // Vite's own transform compiles TSX for the automatic JSX runtime; no React plugin needed
  // without fast refresh.
  async react() {
    return [];
  },
  async vue() {
    const { default: vue } = await import('@vitejs/plugin-vue');
    return [vue({ template: { compilerOptions: { isCustomElement: (tag) => TAGS.has(tag) } } })];
  },
  async svelte() {
    const { svelte } = await import('@sveltejs/vite-plugin-svelte');
    return [svelte({ configFile: false })];
  },
  async angular() {
    // Template type-checking (strictTemplates) and AOT compilation; fails the build on an error.
    rmSync(ANGULAR_OUT, { recursive: true, force: true });
    execFileSync(join(root, 'node_modules/.bin/ngc'), ['-p', join(root, 'demo/frameworks/angular/tsconfig.json')], { stdio: 'inherit', cwd: root });
    return [angularAot(), await angularLinker()];
  },
};

export async function buildExample(name) {
  const plugins = await frameworks[name]();
  await build({
    configFile: false,
    root: join(root, 'demo/frameworks', name),
    base: './',
    logLevel: 'warn',
    plugins,
    resolve: {
      alias: [
        { find: /^click-to-call$/, replacement: join(root, 'dist/click-to-call.js') },
        { find: /^click-to-call\/angular$/, replacement: ANGULAR_DIRECTIVES },
      ],
    },
    oxc: { jsx: { runtime: 'automatic' } },
    // Production builds of the frameworks: Angular's dev-mode checks are dropped by these.
    define: { 'process.env.NODE_ENV': '"production"', ngDevMode: 'false', ngJitMode: 'false', ngI18nClosureMode: 'false' },
    build: {
      outDir: join(root, 'dist/examples', name),
      emptyOutDir: true,
      target: 'es2022',
      sourcemap: false,
      rolldownOptions: { checks: { pluginTimings: false } },
    },
  });
}

/** Builds the named examples (all by default), one after the other: they share two cores. */
export async function buildExamples(names = Object.keys(frameworks)) {
  for (const built of ['dist/click-to-call.js', 'dist/frameworks/angular/index.js']) {
    if (!existsSync(join(root, built))) throw new Error(`${built} is missing: run \`npm run build\` first`);
  }
  for (const name of names) {
    if (!(name in frameworks)) throw new Error(`unknown example ${name}`);
    const started = performance.now();
    await buildExample(name);
    console.log(`examples: ${name} in ${Math.round(performance.now() - started)} ms`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await buildExamples(process.argv.length > 2 ? process.argv.slice(2) : undefined);
