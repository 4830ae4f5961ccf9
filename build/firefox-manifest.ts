// The Firefox manifest, made from the one manifest.json (Chrome's) at build time. Every way the two
// manifests differ is here, with its reason; docs/architecture.md "Where the browsers differ and why".

/** The add-on id Firefox keys storage, IndexedDB and granted permissions on: never change it. */
export const GECKO_ID = 'parley@parley.chat';
/**
 * Firefox 140, the ESR line Debian ships: it reads data_collection_permissions (new in 140) and has
 * what Parley needs (Ed25519 in WebCrypto from 129, MV3 optional_host_permissions,
 * scripting.registerContentScripts with persistAcrossSessions, a module event page).
 */
export const GECKO_MIN_VERSION = '140.0';
export const GECKO_ANDROID_MIN_VERSION = '142.0';

/**
 * Firefox's default MV3 extension-page policy is
 * `script-src 'self'; upgrade-insecure-requests;`: the second directive rewrites the background's
 * `new WebSocket('ws://127.0.0.1:8787')` to `wss://127.0.0.1:8787`, which a plain relay never
 * answers. Parley allows ws:// for a relay on this computer (shared/settings.ts; the default relay
 * is ws://127.0.0.1:8787), so the Firefox build states the policy without that directive. Chrome's
 * default has no such directive. script-src stays 'self': nothing else is loosened.
 */
export const FIREFOX_EXTENSION_PAGES_CSP = "script-src 'self'; object-src 'self'";

type Json = Record<string, unknown>;

/** `manifest` as Firefox needs it. Pure: the input is not changed. */
export function firefoxManifest(manifest: Json): Json {
  const out: Json = structuredClone(manifest);
  // Chrome's key; Firefox warns about it. Its floor is browser_specific_settings.gecko.
  delete out.minimum_chrome_version;
  const background = (manifest.background ?? {}) as { service_worker?: string; type?: string };
  // Firefox runs no extension service worker: the same module runs as an event page, which Firefox
  // also stops when idle (a live WebSocket keeps it, like Chrome's worker).
  out.background = { scripts: [background.service_worker], ...(background.type ? { type: background.type } : {}) };
  out.content_security_policy = { extension_pages: FIREFOX_EXTENSION_PAGES_CSP };
  // Firefox has no offscreen documents (its event page holds the RTCPeerConnections itself:
  // src/background/page-peer-host.ts); an unknown permission is only a lint warning, but it asks for nothing.
  if (Array.isArray(manifest.permissions)) out.permissions = (manifest.permissions as string[]).filter((p) => p !== 'offscreen');
  out.browser_specific_settings = {
    gecko: {
      id: GECKO_ID,
      strict_min_version: GECKO_MIN_VERSION,
      // Parley sends nothing to its authors, but chat messages do leave the browser, sealed, for the
      // relay the user chose: Mozilla's categories call that personal communications, so it is said
      // (Firefox shows it when installing) rather than claimed as none.
      data_collection_permissions: { required: ['personalCommunications'] },
    },
    // Firefox for Android reads data_collection_permissions from 142; without its own floor it
    // would take 140 from gecko (web-ext lint warns). Parley is not tested on Android.
    gecko_android: { strict_min_version: GECKO_ANDROID_MIN_VERSION },
  };
  return out;
}
