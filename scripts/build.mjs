// Builds the browser bundle (rollup) and the server (esbuild, dependencies left external),
// then regenerates custom-elements.json.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
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
run('npx', ['cem', 'analyze', '--config', 'custom-elements-manifest.config.mjs', '--quiet']);
// The React / Vue / Svelte typings come from the manifest just written.
const { writeFrameworkTypings } = await import('./framework-types.mjs');
writeFrameworkTypings();
// The framework example pages (about 15 s, most of it Angular's AOT compiler).
const { buildExamples } = await import('./build-examples.mjs');
await buildExamples();
