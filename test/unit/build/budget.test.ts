// Size budgets of the browser build (deterministic, so a test): the first script, and
// everything a WebRTC call loads. Run after `npm run build`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';

const KB = 1024;
const gz = (file: string) => gzipSync(readFileSync(`dist/${file}`), { level: 9 }).length;

function files(): { entry: string; engine: string; media: string; readiness: string; devices: string } {
  const names = readdirSync('dist').filter((n) => n.endsWith('.js'));
  const find = (re: RegExp) => {
    const found = names.filter((n) => re.test(n));
    assert.equal(found.length, 1, `expected one file matching ${re} in dist/ (run npm run build): ${names.join(', ')}`);
    return found[0]!;
  };
  return {
    entry: find(/^click-to-call\.js$/),
    engine: find(/^click-to-call-engine-.*\.js$/),
    media: find(/^click-to-call-sip-.*\.js$/),
    readiness: find(/^click-to-call-readiness-.*\.js$/),
    devices: find(/^click-to-call-devices-.*\.js$/),
  };
}

test('the first script stays within 15 KB gzip and holds no JsSIP', () => {
  const { entry } = files();
  const first = [...closure(entry)].reduce((sum, file) => sum + gz(file), 0);
  assert.ok(first <= 15 * KB, `dist/${entry} and its static imports are ${first} bytes gzip`);
  const text = readFileSync(`dist/${entry}`, 'utf8');
  assert.doesNotMatch(text, /JsSIP|WebSocketInterface/);
});

/** A file and every chunk it imports statically, transitively: what loading it costs. */
function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  const text = readFileSync(`dist/${file}`, 'utf8');
  for (const match of text.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) closure(match[1]!, seen);
  return seen;
}

test('a WebRTC call loads at most 70 KB gzip (first script, engine and media chunks, and what they import)', () => {
  const { entry, engine, media } = files();
  const loaded = new Set([...closure(entry), ...closure(engine), ...closure(media)]);
  const total = [...loaded].reduce((sum, file) => sum + gz(file), 0);
  assert.ok(total <= 70 * KB, `total ${total} bytes gzip for ${[...loaded].join(', ')}`);
  assert.match(readFileSync(`dist/${media}`, 'utf8'), /WebSocketInterface|JsSIP/);
});

test('the media chunk is reached only through a dynamic import', () => {
  const { entry, media } = files();
  const text = readFileSync(`dist/${entry}`, 'utf8');
  assert.ok(text.includes(`import("./${media}")`), 'no dynamic import of the media chunk');
  assert.ok(!new RegExp(`from\\s*"\\./${media}"`).test(text), 'the media chunk is imported statically');
});

test('the number library is only in the callback chunk', () => {
  const { entry, engine, media } = files();
  for (const file of new Set([...closure(entry), ...closure(engine), ...closure(media)])) {
    assert.doesNotMatch(readFileSync(`dist/${file}`, 'utf8'), /country_calling_codes/, file);
  }
});

test('the audio settings (meter, blocked-audio prompt) and the pre-call check are lazy chunks, off the WebRTC path', () => {
  const { entry, engine, media, readiness, devices } = files();
  const path = new Set([...closure(entry), ...closure(engine), ...closure(media)]);
  // The settings are loaded from the first script; the check from the settings.
  for (const [chunk, from, limit] of [[devices, entry, 3 * KB], [readiness, devices, 4 * KB]] as const) {
    assert.ok(readFileSync(`dist/${from}`, 'utf8').includes(`import("./${chunk}")`), `no dynamic import of ${chunk} in ${from}`);
    assert.ok(!path.has(chunk), `${chunk} is imported statically on the WebRTC path`);
    // What opening it costs beyond the first script: the chunk and anything only it imports.
    const own = [...closure(chunk)].filter((file) => !path.has(file));
    const size = own.reduce((sum, file) => sum + gz(file), 0);
    assert.ok(size <= limit, `${own.join(', ')}: ${size} bytes gzip (limit ${limit})`);
  }
});
