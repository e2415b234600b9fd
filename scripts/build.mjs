// Builds the browser bundle (rollup) and the server (esbuild, dependencies left external),
// emits the type declarations of both entries, then regenerates custom-elements.json.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const run = (cmd, args) => execFileSync(cmd, args, { stdio: 'inherit' });

rmSync('dist', { recursive: true, force: true });
run('npx', ['rollup', '-c', 'rollup.config.mjs', '--silent']);
await build({
  entryPoints: ['src/server/index.ts', 'src/server/cli.ts', { in: 'src/sandbox/index.ts', out: 'sandbox' }],
  outdir: 'dist/server',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
run('npx', ['tsc', '-p', 'tsconfig.types.json']);
rewriteDeclarationImports('dist/types');
run('npx', ['cem', 'analyze', '--config', 'custom-elements-manifest.config.mjs', '--quiet']);
// The React / Vue / Svelte typings and the Angular directives (ngc, about 2 s) come from the
// manifest just written.
const { buildAngularDirectives, writeFrameworkTypings } = await import('./framework-types.mjs');
writeFrameworkTypings();
buildAngularDirectives();
// The framework example pages (about 15 s, most of it Angular's AOT compiler).
const { buildExamples } = await import('./build-examples.mjs');
await buildExamples();

/**
 * The sources import each other as `./x.ts`; tsc 5.9 rewrites that in emitted JavaScript but
 * leaves it in declarations, where a consumer without allowImportingTsExtensions (and
 * node16/nodenext resolution) cannot follow it. `./x.js` resolves to `./x.d.ts` everywhere.
 */
function rewriteDeclarationImports(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) rewriteDeclarationImports(path);
    else if (entry.name.endsWith('.d.ts')) {
      const text = readFileSync(path, 'utf8');
      const fixed = text.replace(/((?:from|import)\s*\(?\s*['"])(\.{1,2}\/[^'"]+)\.ts(['"])/g, '$1$2.js$3');
      if (fixed !== text) writeFileSync(path, fixed);
    }
  }
}
