/**
 * The WordPress plugin (integrations/wordpress/click-to-call) run by PHP inside a test double of
 * WordPress (test/support/wordpress/wp.php): shortcodes with hostile attribute values, the
 * settings' sanitizing, the module script's registration (6.5+ and older), uninstall. Needs
 * `php` (Debian php-cli; .ci/run installs it). The page it renders makes a real call in
 * test/e2e/wordpress.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PLUGIN, renderWordPress } from '../../support/wordpress/render.ts';

const SCRIPT = 'https://cdn.example/npm/click-to-call@0.1.0/dist/click-to-call.js';
const CONFIGURED = { endpoint: '/c2c', script_url: SCRIPT };

/**
 * The only shape a shortcode may produce: the element with known attributes whose values hold
 * no quote or angle bracket, an optional label span of escaped text, an optional status line.
 */
const SAFE_MARKUP =
  /^<click-to-call id="click-to-call-\d+"(?: (?:endpoint|destination|mode|locale)="[^"<>]*")*(?: disabled)?>(?:<span slot="label">[^<>"]*<\/span>)?<\/click-to-call>(?:<call-status for="click-to-call-\d+"><\/call-status>)?$/;

const HOSTILE = [
  '"><script>alert(1)</script>',
  "' onmouseover='alert(1)",
  'javascript:alert(1)',
  '<img src=x onerror=alert(1)>',
  '&quot; autofocus onfocus=alert(1) x="',
  '\u0000\u2028"\\',
];

describe('WordPress plugin', () => {
  it('every PHP file passes php -l', () => {
    const files = [
      ...readdirSync(PLUGIN).filter((f) => f.endsWith('.php')).map((f) => join(PLUGIN, f)),
      ...readdirSync('test/support/wordpress').filter((f) => f.endsWith('.php')).map((f) => join('test/support/wordpress', f)),
    ];
    assert.ok(files.length >= 4, files.join(', '));
    for (const file of files) assert.match(execFileSync('php', ['-l', file], { encoding: 'utf8' }), /No syntax errors/, file);
  });

  it('renders the element with the settings endpoint, the destination and a status line, and enqueues the module once without ?ver', () => {
    const out = renderWordPress({ options: CONFIGURED, shortcodes: [{ destination: 'sales' }, { destination: 'callback-sarv', mode: 'callback', locale: 'zh-CN', label: 'Call me back', status: 'no' }] });
    assert.equal(
      out.shortcodes[0],
      '<click-to-call id="click-to-call-1" endpoint="/c2c" destination="sales"></click-to-call><call-status for="click-to-call-1"></call-status>',
    );
    assert.equal(
      out.shortcodes[1],
      '<click-to-call id="click-to-call-2" endpoint="/c2c" destination="callback-sarv" mode="callback" locale="zh-CN"><span slot="label">Call me back</span></click-to-call>',
    );
    assert.equal(out.scripts, `<script type="module" src="${SCRIPT}" id="click-to-call-js-module"></script>\n`);
  });

  it('before WordPress 6.5: a classic registration printed as a module script, without ?ver', () => {
    const out = renderWordPress({ options: CONFIGURED, shortcodes: [{ destination: 'sales' }] }, { legacy: true });
    assert.equal(out.scripts, `<script type="module" src="${SCRIPT}" id="click-to-call-js"></script>\n`);
  });

  it('hostile attribute values cannot add markup or attributes', () => {
    const shortcodes = HOSTILE.flatMap((value): Array<Record<string, string>> => [
      { destination: value },
      { destination: 'sales', mode: value, locale: value, label: value, status: value, disabled: value },
      { [value]: value, destination: 'sales' },
    ]);
    const out = renderWordPress({ options: CONFIGURED, shortcodes });
    assert.equal(out.shortcodes.length, shortcodes.length);
    for (const [i, html] of out.shortcodes.entries()) assert.match(html, SAFE_MARKUP, `case ${i}: ${JSON.stringify(shortcodes[i])}`);
    // Unknown modes are dropped; destinations and locales keep only their safe characters.
    assert.ok(out.shortcodes.every((html) => !html.includes(' mode=')));
    assert.match(out.shortcodes[0]!, / destination="scriptalert1script"/);
    // The label is text: escaped, not stripped.
    assert.match(out.shortcodes[1]!, /<span slot="label">&quot;&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/span>/);
  });

  it('settings keep only http(s) URLs and site paths; javascript:, data:, protocol-relative and unknown keys go', () => {
    const cases: Array<[unknown, string]> = [
      ['https://calls.example/c2c', 'https://calls.example/c2c'],
      ['http://127.0.0.1:8787/c2c', 'http://127.0.0.1:8787/c2c'],
      ['/c2c', '/c2c'],
      ['  https://cdn.example/a b.js ', 'https://cdn.example/a%20b.js'],
      ['https://cdn.example/x.js"><script>alert(1)</script>', 'https://cdn.example/x.jsscriptalert(1)/script'],
      ['javascript:alert(1)', ''],
      ['JaVaScRiPt:alert(1)', ''],
      [' javascript:alert(1)', ''],
      ['java\tscript:alert(1)', ''],
      ['data:text/javascript,alert(1)', ''],
      ['//evil.example/x.js', ''],
      ['/\\evil.example/x.js', ''],
      ['ftp://files.example/x.js', ''],
      ['cdn.example/x.js', ''],
      [['https://array.example'], ''],
      [42, ''],
    ];
    const save = cases.map(([value]) => ({ endpoint: value, script_url: value, extra: 'dropped' }));
    const out = renderWordPress({ save: [...save, 'not an array', null] });
    assert.deepEqual(out.setting, { group: 'click_to_call', sanitize: 'click_to_call_sanitize_settings', page: 'manage_options' });
    for (const [i, [value, expected]] of cases.entries()) {
      assert.deepEqual(out.saved[i], { endpoint: expected, script_url: expected }, JSON.stringify(value));
    }
    assert.deepEqual(out.saved.slice(cases.length), [{ endpoint: '', script_url: '' }, { endpoint: '', script_url: '' }]);
  });

  it('an option written around the Settings API is cleaned on the way out, and the settings page escapes what it shows', () => {
    const out = renderWordPress({
      options: { endpoint: 'javascript:alert(1)', script_url: SCRIPT },
      shortcodes: [{ destination: 'sales' }],
      can: true,
      settingsPage: true,
    });
    // No endpoint: the shortcode shows the administrator the configuration note, no element.
    assert.match(out.shortcodes[0]!, /^<p class="click-to-call-unconfigured">[^<]*<\/p>$/);
    assert.equal(out.scripts, '');
    assert.match(out.settingsPage!, /name="click_to_call_settings\[endpoint\]" value=""/);
    assert.match(out.settingsPage!, new RegExp(`name="click_to_call_settings\\[script_url\\]" value="${SCRIPT.replace(/[.?]/g, '\\$&')}"`));
    assert.match(out.settingsPage!, /name="option_page" value="click_to_call"/);
  });

  it('unconfigured: visitors get nothing, administrators a note; no script is loaded', () => {
    const visitor = renderWordPress({ shortcodes: [{ destination: 'sales' }] });
    assert.deepEqual(visitor.shortcodes, ['']);
    assert.equal(visitor.scripts, '');
    const admin = renderWordPress({ shortcodes: [{ destination: 'sales' }], can: true });
    assert.match(admin.shortcodes[0]!, /Settings, Click to Call/);
    assert.equal(admin.scripts, '');
  });

  it('uninstall deletes the option', () => {
    const out = renderWordPress({ options: CONFIGURED, uninstall: true });
    assert.equal(out.optionAfterUninstall, null);
  });
});
