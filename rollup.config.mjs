// The browser build: dist/click-to-call.js (both elements) and, split off by the dynamic
// import in the core, the media chunk that carries JsSIP.
import commonjs from '@rollup/plugin-commonjs';
import json from '@rollup/plugin-json';
import resolve from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import esbuild from 'rollup-plugin-esbuild';
import jssipSlim from './scripts/jssip-slim.mjs';

export default {
  input: { 'click-to-call': 'src/index.ts' },
  // Lets the chunks import shared code from the entry instead of a third, shared chunk.
  preserveEntrySignatures: 'allow-extension',
  output: {
    dir: 'dist',
    format: 'es',
    entryFileNames: '[name].js',
    chunkFileNames: 'click-to-call-[name]-[hash].js',
    sourcemap: true,
  },
  plugins: [
    jssipSlim(),
    // Without preferBuiltins: false JsSIP's chunk keeps a bare `import 'events'`.
    resolve({ browser: true, preferBuiltins: false, extensions: ['.ts', '.js', '.mjs', '.json'] }),
    json(),
    commonjs({ requireReturnsDefault: 'auto' }),
    esbuild({ target: 'es2022', tsconfig: 'tsconfig.json', legalComments: 'none' }),
    terser({ ecma: 2022, module: true, compress: { passes: 2 }, format: { comments: false } }),
  ],
  onwarn(warning, warn) {
    // JsSIP's circular requires are harmless (seen in RIG-NOTES).
    if (warning.code === 'CIRCULAR_DEPENDENCY') return;
    warn(warning);
  },
};
