// The Firefox manifest, made from the one manifest.json (Chrome's) at build time. Every way the two
// manifests differ is here, with its reason; docs/architecture.md "Where the browsers differ and why".

/** The add-on id Firefox keys storage, IndexedDB and granted permissions on: never change it. */
export const GECKO_ID = 'parley@parley.chat';
/**
 * Firefox 128 (ESR): MV3 with optional_host_permissions, scripting.registerContentScripts with
 * persistAcrossSessions, background `type: module`, and Ed25519 in WebCrypto (Firefox 129 made it
 * default; 128 ESR has it too) – the features Parley needs. data_collection_permissions is read from
 * Firefox 140 and ignored, harmlessly, before.
 */
export const GECKO_MIN_VERSION = '128.0';

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
  out.browser_specific_settings = {
    gecko: {
      id: GECKO_ID,
      strict_min_version: GECKO_MIN_VERSION,
      // Parley sends nothing to its authors; what goes to a relay is the user's own sealed chat.
      data_collection_permissions: { required: ['none'] },
    },
  };
  return out;
}
