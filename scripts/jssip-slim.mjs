// Rollup plugin: keeps JsSIP's chunk small without touching what JsSIP does.
// - `debug`: JsSIP logs only when a page turns `debug` on; a no-op logger replaces it.
// - JsSIP's package.json: only `title` and `version` are read; the rest would ship.
// Both are ES modules with a default export only; commonjs({ requireReturnsDefault: 'auto' })
// hands that default to JsSIP's require().
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const DEBUG_ID = '\0c2c-debug-noop';
const PKG_ID = '\0c2c-jssip-package';

export default function jssipSlim() {
  return {
    name: 'jssip-slim',
    resolveId(source, importer) {
      if (!importer || !importer.includes('/node_modules/jssip/')) return null;
      if (source === 'debug') return DEBUG_ID;
      if (source === '../package.json') return PKG_ID;
      return null;
    },
    load(id) {
      if (id === DEBUG_ID) {
        return `function createDebug() {
  const log = function () {};
  log.enabled = false;
  log.log = log;
  log.extend = createDebug;
  return log;
}
createDebug.default = createDebug;
createDebug.enable = function () {};
createDebug.disable = function () { return ''; };
createDebug.enabled = function () { return false; };
export default createDebug;`;
      }
      if (id === PKG_ID) {
        const pkg = JSON.parse(readFileSync(require.resolve('jssip/package.json'), 'utf8'));
        return `export default ${JSON.stringify({ title: pkg.title, version: pkg.version })};`;
      }
      return null;
    },
  };
}
