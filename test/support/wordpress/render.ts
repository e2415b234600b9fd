/**
 * Runs the WordPress plugin in PHP inside the WordPress test double (wp.php, render.php): the
 * unit test checks its output, the end-to-end test loads the page it renders in Chromium.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

export const PLUGIN = 'integrations/wordpress/click-to-call';
const DRIVER = 'test/support/wordpress/render.php';

export interface RenderJob {
  options?: unknown;
  can?: boolean;
  shortcodes?: Array<Record<string, string>>;
  save?: unknown[];
  settingsPage?: boolean;
  uninstall?: boolean;
}

export interface Rendered {
  shortcodes: string[];
  scripts: string;
  saved: Array<{ endpoint: string; script_url: string }>;
  setting: { group: string; sanitize: string; page: string | null };
  settingsPage?: string;
  optionAfterUninstall?: unknown;
}

/** Runs the plugin in the WordPress double; `legacy` leaves out the script-modules API. */
export function renderWordPress(job: RenderJob, { legacy = false } = {}): Rendered {
  const result = spawnSync('php', [DRIVER], {
    input: JSON.stringify({ plugin: PLUGIN, ...job }),
    encoding: 'utf8',
    env: { ...process.env, ...(legacy ? { WP_TEST_LEGACY: '1' } : {}) },
  });
  assert.equal(result.error, undefined, 'php is not installed (apt-get install php-cli)');
  assert.equal(result.status, 0, result.stderr);
  assert.equal(result.stderr, '', 'PHP printed warnings or notices');
  return JSON.parse(result.stdout) as Rendered;
}
