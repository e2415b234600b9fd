/**
 * Screenshots of every call state, taken from the real widget (dist/click-to-call.js) in
 * Debian's Chromium against the sandbox (real token endpoint, vendor simulators, the JsSIP +
 * wrtc agent). Writes docs/screenshots/<state>.png and docs/states.md.
 *
 *   npm run screenshots                       every state, plus the dark and zh-CN variants
 *   npm run screenshots -- --only connected,failed
 *   npm run screenshots -- --no-variants      skip connected-dark, -zh-CN, -compact, -floating
 *   npm run screenshots -- --out /tmp/shots   somewhere else (docs/states.md is left alone)
 *
 * Needs `npm run build` first, and a CJK font for the zh-CN picture (Debian:
 * `apt-get install fonts-wqy-microhei`; without one Chromium draws empty boxes). Transient states are held with what the sandbox and the
 * browser offer, never with product knobs: a held HTTP request (authorizing, dialing,
 * ending), a simulator script (queued: the Huawei call stays in the queue; ringing: Sarv's
 * phone rings for a minute; failed: "no agent"), and the gateway's WebSocket through the
 * browser's interception: one that never answers the INVITE (connecting), and a live one cut
 * with the new ones left unanswered (reconnecting). Every wait is bounded and says what it was
 * waiting for when it gives up.
 */
import { createReadStream, existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page, Route, WebSocketRoute } from 'playwright-core';
import { startSandbox, type Sandbox } from '../src/sandbox/index.ts';
import { launchChromium } from '../test/support/rig.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

interface Options {
  out: string;
  only: Set<string> | null;
  variants: boolean;
}

function parseArgs(argv: string[]): Options {
  const options: Options = { out: join(root, 'docs', 'screenshots'), only: null, variants: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--out') options.out = resolve(argv[++i] ?? fail('--out needs a directory'));
    else if (arg === '--only') options.only = new Set((argv[++i] ?? fail('--only needs a list')).split(',').map((s) => s.trim()).filter(Boolean));
    else if (arg === '--no-variants') options.variants = false;
    else fail(`unknown option ${arg} (known: --out DIR, --only a,b, --no-variants)`);
  }
  return options;
}

function fail(message: string): never {
  throw new Error(message);
}

/** One line per state for docs/states.md, in the order of the state machine. */
const STATES: Array<{ state: string; says: string }> = [
  { state: 'idle', says: 'Before a call: the call button, and the audio settings button for WebRTC destinations.' },
  { state: 'authorizing', says: 'The click was accepted; the token endpoint is minting a session (and the microphone is being asked for).' },
  { state: 'dialing', says: 'The endpoint is asking the vendor to start the call.' },
  { state: 'queued', says: 'The vendor put the call in its queue; the status counts the time waiting for an agent.' },
  { state: 'ringing', says: 'Callback calls: the vendor is ringing the visitor\'s phone.' },
  { state: 'connecting', says: 'An agent took the call; the browser is setting up audio with the WebRTC gateway (SIP over WebSocket).' },
  { state: 'connected', says: 'Talking: mute, keypad, audio settings and hang-up; the status shows the call\'s length.' },
  { state: 'reconnecting', says: 'The gateway connection or the network dropped; the widget is restoring the call (up to 20 s).' },
  { state: 'ending', says: 'The visitor hung up; the endpoint is telling the vendor.' },
  { state: 'ended', says: 'The call is over; the button can start a new one.' },
  { state: 'scheduled', says: 'Callback booked for a later time, shown in the visitor\'s locale.' },
  { state: 'failed', says: 'The call failed; the reason is shown as a sentence (here: no agent available).' },
];

const VARIANTS: Array<{ name: string; says: string }> = [
  { name: 'connected-dark', says: '`connected` with `prefers-color-scheme: dark`.' },
  { name: 'connected-zh-CN', says: '`connected` with `locale="zh-CN"` on a `lang="zh-CN"` page.' },
  { name: 'connected-compact', says: '`connected` with `layout="compact"`: icon buttons, each still named.' },
  { name: 'connected-floating', says: '`connected` with `layout="floating"`: the round button in the corner and its panel.' },
];

/** The page the widget lives on, with the endpoint on the sandbox's origin. */
function pageHtml(params: { endpoint: string; destination: string; mode?: string | undefined; locale?: string | undefined; layout?: string | undefined; lang: string }): string {
  const attrs = [
    `endpoint="${params.endpoint}"`,
    `destination="${params.destination}"`,
    params.mode ? `mode="${params.mode}"` : '',
    params.locale ? `locale="${params.locale}"` : '',
    params.layout ? `layout="${params.layout}"` : '',
  ].filter(Boolean).join(' ');
  return `<!doctype html>
<html lang="${params.lang}">
<head>
<meta charset="utf-8">
<title>click-to-call states</title>
<link rel="icon" href="data:,">
<style>
  :root { color-scheme: light dark; }
  body { margin: 0; font: 16px/1.4 system-ui, sans-serif; background: #ffffff; color: #1b1b1f; }
  @media (prefers-color-scheme: dark) { body { background: #1b1b1f; color: #e4e2e6; } }
  #shot { display: inline-block; box-sizing: border-box; min-width: 360px; max-width: 640px; padding: 16px; }
  call-status { display: block; margin-top: 8px; }
</style>
<script type="module" src="/dist/click-to-call.js"></script>
</head>
<body>
<div id="shot">
  <click-to-call id="call" ${attrs}></click-to-call>
  <call-status for="call"></call-status>
</div>
</body>
</html>`;
}

/** A request held until `release()`; `seen` resolves when the page has sent it. */
class HeldRequest {
  #routes: Route[] = [];
  #released = false;
  #seen: () => void = () => undefined;
  readonly seen = new Promise<void>((done) => (this.#seen = done));

  constructor(page: Page, readonly pattern: RegExp, readonly method: string) {
    void page.route(pattern, async (route) => {
      if (route.request().method() !== method || this.#released) return route.fallback();
      this.#routes.push(route);
      this.#seen();
    });
  }

  async release(): Promise<void> {
    this.#released = true;
    for (const route of this.#routes.splice(0)) await route.fallback().catch(() => undefined);
  }
}

async function withTimeout<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

const stateOf = (page: Page) => page.evaluate(() => document.getElementById('call')?.getAttribute('state') ?? null);

async function waitState(page: Page, wanted: string, timeoutMs = 15_000): Promise<void> {
  try {
    await page.waitForFunction((s) => document.getElementById('call')?.getAttribute('state') === s, wanted, { timeout: timeoutMs, polling: 50 });
  } catch {
    const error = await page.evaluate(() => (document.getElementById('call') as unknown as { snapshot?: { error?: unknown } }).snapshot?.error ?? null);
    throw new Error(`the widget never reached '${wanted}' within ${timeoutMs} ms (it is '${await stateOf(page)}', error ${JSON.stringify(error)})`);
  }
}

/** Lets the widget finish rendering (Lit updates, fonts) so the picture is settled. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const els = [...document.querySelectorAll('click-to-call, call-status')] as Array<Element & { updateComplete?: Promise<unknown> }>;
    await Promise.all(els.map((el) => el.updateComplete));
    await document.fonts.ready;
    await new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)));
  });
}

interface Shot {
  name: string;
  file: string;
}

class Shooter {
  readonly shots: Shot[] = [];
  constructor(readonly browser: Browser, readonly sandbox: Sandbox, readonly options: Options) {}

  /** The site: the page of `open()` and dist/. */
  site: { url: string; pages: Map<string, string> } | null = null;

  async open(params: { destination?: string; mode?: string; locale?: string; layout?: string; lang?: string; dark?: boolean } = {}): Promise<Page> {
    const context = await this.browser.newContext({
      viewport: { width: 800, height: 720 },
      deviceScaleFactor: 2,
      colorScheme: params.dark ? 'dark' : 'light',
      reducedMotion: 'reduce',
      locale: params.lang ?? 'en-US',
      timezoneId: 'UTC',
    });
    await context.grantPermissions(['microphone'], { origin: this.site!.url });
    const page = await context.newPage();
    const html = pageHtml({ endpoint: this.sandbox.endpoint, destination: params.destination ?? 'sales', mode: params.mode, locale: params.locale, layout: params.layout, lang: params.lang ?? 'en' });
    const path = `/page-${this.site!.pages.size}.html`;
    this.site!.pages.set(path, html);
    page.on('pageerror', (error) => process.stderr.write(`  page error: ${error.message}\n`));
    if (process.env.C2C_SCREENSHOTS_DEBUG) {
      page.on('console', (m) => process.stderr.write(`  console ${m.type()}: ${m.text()}\n`));
      page.on('websocket', (ws) => {
        process.stderr.write(`  websocket ${ws.url()}\n`);
        ws.on('socketerror', (e) => process.stderr.write(`  websocket error ${e}\n`));
        ws.on('close', () => process.stderr.write('  websocket closed\n'));
      });
    }
    await page.goto(`${this.site!.url}${path}`);
    await withTimeout('the elements to be defined', 10_000, page.waitForFunction(() => customElements.get('click-to-call') && customElements.get('call-status')));
    await settle(page);
    return page;
  }

  wants(name: string): boolean {
    return this.options.only === null || this.options.only.has(name);
  }

  /** `corner`: the viewport's bottom-right corner, where the floating layout sits (fixed, out of #shot). */
  async take(page: Page, name: string, corner = false): Promise<void> {
    await settle(page);
    const file = join(this.options.out, `${name}.png`);
    const options = { path: file, animations: 'disabled', caret: 'hide' } as const;
    if (corner) await page.screenshot({ ...options, clip: { x: 800 - 480, y: 720 - 320, width: 480, height: 320 } });
    else await page.locator('#shot').screenshot(options);
    this.shots.push({ name, file });
    process.stdout.write(`  ${name}: ${relative(root, file)}\n`);
  }
}

const click = (page: Page, part: string) => page.locator(`click-to-call [part~="${part}"]`).first().click({ timeout: 5_000 });

/** Starts a WebRTC call to `sales` and waits until it is connected. */
async function connectedCall(shooter: Shooter, page: Page): Promise<void> {
  shooter.sandbox.simulator.control.scriptNextCall({ outcome: 'connect', queueMs: 50 });
  await click(page, 'call-button');
  await waitState(page, 'connected', 20_000);
  // The call's length reads 0:01 or more in every picture, not a flickering 0:00.
  await page.waitForFunction(() => (document.getElementById('call')!.shadowRoot!.querySelector('[part~=timer]')?.textContent ?? '').trim() >= '0:01', undefined, { timeout: 5_000 }).catch(() => undefined);
}

async function hangupAndClose(page: Page): Promise<void> {
  await page.evaluate(() => (document.getElementById('call') as unknown as { hangup(): Promise<void> }).hangup()).catch(() => undefined);
  await page.context().close();
}

type Scenario = (shooter: Shooter) => Promise<void>;

const SCENARIOS: Array<{ names: string[]; run: Scenario }> = [
  {
    names: ['idle'],
    async run(s) {
      const page = await s.open();
      await s.take(page, 'idle');
      await page.context().close();
    },
  },
  {
    names: ['authorizing'],
    async run(s) {
      const page = await s.open();
      const held = new HeldRequest(page, /\/c2c\/session$/, 'POST');
      await click(page, 'call-button');
      await withTimeout('POST /c2c/session', 10_000, held.seen);
      await waitState(page, 'authorizing');
      await s.take(page, 'authorizing');
      await page.context().close();
    },
  },
  {
    names: ['dialing'],
    async run(s) {
      const page = await s.open();
      const held = new HeldRequest(page, /\/c2c\/calls$/, 'POST');
      await click(page, 'call-button');
      await withTimeout('POST /c2c/calls', 10_000, held.seen);
      await waitState(page, 'dialing');
      await s.take(page, 'dialing');
      await page.context().close();
    },
  },
  {
    names: ['queued'],
    async run(s) {
      const page = await s.open();
      s.sandbox.simulator.control.scriptNextCall({ outcome: 'hold' });
      await click(page, 'call-button');
      await waitState(page, 'queued');
      // The time in the queue reads at least a second.
      await page.waitForTimeout(1_100);
      await s.take(page, 'queued');
      await hangupAndClose(page);
    },
  },
  {
    names: ['ringing'],
    async run(s) {
      const page = await s.open({ destination: 'callback-sarv', mode: 'callback' });
      // Sarv reports nothing until its Push Report: the visitor's phone "rings" for a minute.
      s.sandbox.sarv.control.scriptNextCall({ outcome: 'answered', ringMs: 60_000 });
      await page.locator('click-to-call [part~="phone-input"]').fill('+91 98765 43210', { timeout: 5_000 });
      await click(page, 'call-button');
      await waitState(page, 'ringing');
      await s.take(page, 'ringing');
      await page.context().close();
    },
  },
  {
    names: ['connecting'],
    async run(s) {
      const page = await s.open();
      // The gateway's WebSocket opens but nobody answers the INVITE.
      let opened: () => void = () => undefined;
      const gatewayOpened = new Promise<void>((done) => (opened = done));
      await page.routeWebSocket(s.sandbox.agent.url, () => opened());
      s.sandbox.simulator.control.scriptNextCall({ outcome: 'connect', queueMs: 50 });
      await click(page, 'call-button');
      await withTimeout('the gateway WebSocket', 15_000, gatewayOpened);
      await waitState(page, 'connecting');
      await s.take(page, 'connecting');
      await page.context().close();
    },
  },
  {
    names: ['connected', 'ending', 'ended'],
    async run(s) {
      const page = await s.open();
      await connectedCall(s, page);
      if (s.wants('connected')) await s.take(page, 'connected');
      const held = new HeldRequest(page, /\/c2c\/calls\/[^/]+\/hangup$/, 'POST');
      await click(page, 'hangup-button');
      await withTimeout('POST /c2c/calls/:id/hangup', 10_000, held.seen);
      await waitState(page, 'ending');
      if (s.wants('ending')) await s.take(page, 'ending');
      await held.release();
      await waitState(page, 'ended');
      if (s.wants('ended')) await s.take(page, 'ended');
      await page.context().close();
    },
  },
  {
    names: ['reconnecting'],
    async run(s) {
      const page = await s.open();
      // The gateway's WebSocket goes through the browser's interception: forwarded to the agent
      // until the script cuts it; the connections JsSIP opens after that are never answered, so
      // the call stays in reconnecting (for up to the widget's 20 s).
      let cut = false;
      const routes: WebSocketRoute[] = [];
      await page.routeWebSocket(s.sandbox.agent.url, (ws) => {
        routes.push(ws);
        if (!cut) ws.connectToServer();
      });
      await connectedCall(s, page);
      cut = true;
      const live = routes.at(-1) ?? fail('the gateway WebSocket was not intercepted');
      await live.close({ code: 1006 }).catch(() => live.close());
      await waitState(page, 'reconnecting', 5_000);
      await s.take(page, 'reconnecting');
      await page.context().close();
    },
  },
  {
    names: ['scheduled'],
    async run(s) {
      const page = await s.open({ destination: 'callback-ccai', mode: 'callback' });
      const slot = page.locator('click-to-call [part~="slot"]');
      await page.waitForFunction(
        () => (document.getElementById('call')!.shadowRoot!.querySelectorAll('[part~=slot] option').length ?? 0) > 1,
        undefined,
        { timeout: 10_000 },
      ).catch(() => fail('the ccai destination offered no times to book (GET /c2c/slots)'));
      await slot.selectOption({ index: 1 });
      await page.locator('click-to-call [part~="phone-input"]').fill('+1 415 555 0199');
      await click(page, 'call-button');
      await waitState(page, 'scheduled');
      await s.take(page, 'scheduled');
      await page.context().close();
    },
  },
  {
    names: ['failed'],
    async run(s) {
      const page = await s.open();
      s.sandbox.simulator.control.scriptNextCall({ createResult: '13' });
      await click(page, 'call-button');
      await waitState(page, 'failed');
      await s.take(page, 'failed');
      await page.context().close();
    },
  },
  {
    names: ['connected-dark'],
    async run(s) {
      const page = await s.open({ dark: true });
      await connectedCall(s, page);
      await s.take(page, 'connected-dark');
      await hangupAndClose(page);
    },
  },
  {
    names: ['connected-compact'],
    async run(s) {
      const page = await s.open({ layout: 'compact' });
      await connectedCall(s, page);
      await s.take(page, 'connected-compact');
      await hangupAndClose(page);
    },
  },
  {
    names: ['connected-floating'],
    async run(s) {
      const page = await s.open({ layout: 'floating' });
      await connectedCall(s, page);
      await s.take(page, 'connected-floating', true);
      await hangupAndClose(page);
    },
  },
  {
    names: ['connected-zh-CN'],
    async run(s) {
      const page = await s.open({ locale: 'zh-CN', lang: 'zh-CN' });
      await connectedCall(s, page);
      // Without the Chinese strings (another part of the work), the picture would repeat
      // `connected`: skip it rather than publish a mislabelled one.
      const text = await page.evaluate(() => document.getElementById('call')!.shadowRoot!.textContent ?? '');
      if (!/[\u4e00-\u9fff]/.test(text)) {
        process.stdout.write('  connected-zh-CN: skipped (the widget shows no Chinese text yet)\n');
      } else await s.take(page, 'connected-zh-CN');
      await hangupAndClose(page);
    },
  },
];

function statesMarkdown(shots: Shot[], out: string): string {
  const have = new Set(shots.map((s) => s.name));
  const link = (name: string) => relative(join(root, 'docs'), join(out, `${name}.png`)).split('\\').join('/');
  const lines = [
    '<!-- Generated by scripts/screenshots.ts (`npm run screenshots`): do not edit by hand. -->',
    '',
    '# The states of a call',
    '',
    'Each picture is the real widget (`dist/click-to-call.js`, `<click-to-call>` with a',
    '`<call-status for>` under it) in Chromium, against the sandbox of `npm start`; the script holds',
    'each passing state long enough to take it (see `scripts/screenshots.ts`). The states and their',
    'order are those of `CallState` in the [API reference](api.md#callstate). The elements reflect',
    'the state as an attribute, so a page can style `click-to-call[state=connected]`. To refresh',
    'the pictures after a change of look: `npm run build && npm run screenshots`.',
    '',
    '| state | what it means | picture |',
    '| --- | --- | --- |',
  ];
  for (const { state, says } of STATES) {
    lines.push(`| \`${state}\` | ${says} | ${have.has(state) ? `![${state}](${link(state)})` : '(not taken)'} |`);
  }
  const variants = VARIANTS.filter((v) => have.has(v.name));
  if (variants.length) {
    lines.push('', '## Variants', '', '| variant | picture |', '| --- | --- |');
    for (const v of variants) lines.push(`| ${v.says} | ![${v.name}](${link(v.name)}) |`);
  }
  return `${lines.join('\n')}\n`;
}

const TYPES: Record<string, string> = { '.js': 'text/javascript; charset=utf-8', '.map': 'application/json' };

/**
 * The pages and dist/ on a loopback origin of their own: the sandbox serves only its demo, and
 * a page fulfilled by the browser's request interception has no address, so Chromium's local
 * network checks would keep it from the loopback gateway. A second origin is what a real site
 * is anyway (the sandbox allows it as an origin).
 */
async function startSite(pages: Map<string, string>): Promise<{ url: string; server: Server }> {
  const dist = join(root, 'dist') + sep;
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://site').pathname;
    const page = pages.get(path);
    if (page !== undefined) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(page);
      return;
    }
    const file = normalize(join(root, path));
    if (!file.startsWith(dist) || file.startsWith(join(dist, 'server') + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((done, failed) => {
    server.once('error', failed);
    server.listen(0, '127.0.0.1', () => done());
  });
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  if (!existsSync(join(root, 'dist', 'click-to-call.js'))) fail('dist/click-to-call.js is missing: run `npm run build` first');
  const known = new Set(SCENARIOS.flatMap((s) => s.names));
  for (const name of options.only ?? []) if (!known.has(name)) fail(`unknown state '${name}' (known: ${[...known].join(', ')})`);
  mkdirSync(options.out, { recursive: true });

  const pages = new Map<string, string>();
  const site = await startSite(pages);
  const sandbox = await startSandbox({ port: 0, quiet: true, root, allowedOrigins: [site.url] });
  const chromium = await launchChromium();
  const shooter = new Shooter(chromium.browser, sandbox, options);
  shooter.site = { url: site.url, pages };
  const failures: string[] = [];
  try {
    for (const scenario of SCENARIOS) {
      const names = scenario.names.filter((n) => shooter.wants(n) && (options.variants || !n.includes('-')));
      if (names.length === 0) continue;
      try {
        await withTimeout(names.join(', '), 90_000, scenario.run(shooter));
      } catch (error) {
        failures.push(`${names.join(', ')}: ${(error as Error).message}`);
        process.stderr.write(`  FAILED ${names.join(', ')}: ${(error as Error).message}\n`);
      }
    }
  } finally {
    await chromium.close();
    await sandbox.close();
    site.server.closeAllConnections();
    await new Promise<void>((done) => site.server.close(() => done()));
  }
  // docs/states.md shows the committed pictures: only a full run may rewrite it.
  const full = options.only === null && options.out === join(root, 'docs', 'screenshots');
  if (full && failures.length === 0) {
    writeFileSync(join(root, 'docs', 'states.md'), statesMarkdown(shooter.shots, options.out));
    process.stdout.write('  wrote docs/states.md\n');
  }
  if (failures.length) {
    process.stderr.write(`${failures.length} scenario(s) failed:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
    process.exitCode = 1;
  }
}

await main();
