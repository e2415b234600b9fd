// Rollup plugin: keeps JsSIP's chunk small without touching what JsSIP does.
// - `debug`: JsSIP logs only when a page turns `debug` on; a no-op logger replaces it.
// - JsSIP's package.json: only `title` and `version` are read; the rest would ship.
// - SUBSCRIBE/NOTIFY, MESSAGE and OPTIONS sessions: the widget never starts one, and JsSIP
//   answers such requests itself (405/200) while nobody listens for them, so the classes are
//   never built; stubs that refuse loudly replace them (about 4 KB gzip).
// - REGISTER and outgoing REFER: the widget runs with `register: false` and never transfers.
//   The UA always builds a Registrator, so its stub is inert (never registered) and refuses
//   register()/unregister(); RTCSession's refer() would throw (about 2.5 KB gzip).
// - Digest authentication: the widget's UA has no password (a Huawei click-to-dial caller gets
//   none), and JsSIP builds a DigestAuthentication only when one is set; a 401/407 reaches
//   the session as the failure it is either way (about 1 KB gzip).
// Both are ES modules with a default export only; commonjs({ requireReturnsDefault: 'auto' })
// hands that default to JsSIP's require().
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const DEBUG_ID = '\0c2c-debug-noop';
const PKG_ID = '\0c2c-jssip-package';
const UNUSED = new Set(['./Subscriber', './Notifier', './Message', './Options']);
const UNUSED_PREFIX = '\0c2c-jssip-unused:';
const REGISTRATOR_ID = '\0c2c-jssip-registrator';

export default function jssipSlim() {
  return {
    name: 'jssip-slim',
    resolveId(source, importer) {
      if (!importer || !importer.includes('/node_modules/jssip/')) return null;
      if (source === 'debug') return DEBUG_ID;
      if (source === '../package.json') return PKG_ID;
      if (UNUSED.has(source) && importer.endsWith('/UA.js')) return UNUSED_PREFIX + source.slice(2);
      if (source === './Registrator' && importer.endsWith('/UA.js')) return REGISTRATOR_ID;
      if (source === './RTCSession/ReferSubscriber' && importer.endsWith('/RTCSession.js')) return UNUSED_PREFIX + 'ReferSubscriber';
      if (source === './DigestAuthentication' && importer.endsWith('/RequestSender.js')) return UNUSED_PREFIX + 'DigestAuthentication';
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
      if (id.startsWith(UNUSED_PREFIX)) {
        const name = id.slice(UNUSED_PREFIX.length);
        return `class Unused {
  constructor() { throw new Error('JsSIP ${name} is not part of the click-to-call build'); }
  static init_incoming(request) { request.reply(489); }
}
export default Unused;`;
      }
      if (id === REGISTRATOR_ID) {
        return `class NoRegistrator {
  get registered() { return false; }
  setExtraHeaders() {}
  setExtraContactParams() {}
  register() { throw new Error('JsSIP registration is not part of the click-to-call build'); }
  unregister() { throw new Error('JsSIP registration is not part of the click-to-call build'); }
  onTransportClosed() {}
  close() {}
}
export default NoRegistrator;`;
      }
      if (id === PKG_ID) {
        const pkg = JSON.parse(readFileSync(require.resolve('jssip/package.json'), 'utf8'));
        return `export default ${JSON.stringify({ title: pkg.title, version: pkg.version })};`;
      }
      return null;
    },
  };
}
