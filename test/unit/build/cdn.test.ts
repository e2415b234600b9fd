// What lets dist/ work from any URL (a CDN's versioned path, a CMS's plugin folder): the entry
// is one file until a call is wanted, and every chunk is reached by a relative specifier, which
// a browser resolves against the importing module's own URL, not the page's.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const scripts = () => readdirSync('dist').filter((n) => n.endsWith('.js'));
const read = (name: string) => readFileSync(`dist/${name}`, 'utf8');

/** Static `import … from "x"`, `import "x"`, `export … from "x"` in minified ESM. */
const staticImports = (text: string) =>
  [...text.matchAll(/(?:^|[;}\s])(?:import|export)\s*(?:[\w$*{][^;"'()]*?\bfrom\s*)?["']([^"']+)["']/g)].map((m) => m[1]!);
const dynamicImports = (text: string) => [...text.matchAll(/\bimport\s*\(\s*([^)]*)\)/g)].map((m) => m[1]!.trim());

test('the patterns find what they look for (so the checks below can fail)', () => {
  assert.deepEqual(staticImports('import{a as b}from"./x.js";export*from"./y.js";import"./z.js"'), ['./x.js', './y.js', './z.js']);
  assert.deepEqual(dynamicImports('f(()=>import("./a.js"));import(u)'), ['"./a.js"', 'u']);
});

test('dist/click-to-call.js imports no other file statically: one request until a call is wanted', () => {
  assert.ok(scripts().includes('click-to-call.js'), 'run npm run build first');
  assert.deepEqual(staticImports(read('click-to-call.js')), []);
});

test('every import in dist/ is a relative literal to a file that exists beside it (no bare names, no page-relative paths)', () => {
  const names = new Set(scripts());
  for (const name of names) {
    const text = read(name);
    for (const specifier of staticImports(text)) {
      assert.match(specifier, /^\.\/[\w.-]+\.js$/, `${name}: static import of ${specifier}`);
      assert.ok(names.has(specifier.slice(2)), `${name}: ${specifier} is not in dist/`);
    }
    for (const argument of dynamicImports(text)) {
      const literal = /^"(\.\/[\w.-]+\.js)"$/.exec(argument);
      assert.ok(literal, `${name}: dynamic import(${argument}) is not a relative literal`);
      assert.ok(names.has(literal[1]!.slice(2)), `${name}: ${literal[1]} is not in dist/`);
    }
  }
});
