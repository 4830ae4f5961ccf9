import { fromBase64Url, toBase64Url } from './base64url.ts';
import type { RoomKeys } from './crypto.ts';

// A JSON value sealed with a room's key under additional data that names what it is: an ephemeral
// body (ephemeral.ts) and a signal (signal-seal.ts) each have their own, so neither opens as the
// other or as a chat body (crypto.ts), whose additional data has another prefix again.

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** base64url of a fresh 96-bit IV, then the AES-GCM ciphertext and tag of `value` as JSON. */
export async function sealJson(keys: RoomKeys, additionalData: Uint8Array<ArrayBuffer>, value: unknown): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt({ name: 'AES-GCM', iv, additionalData }, keys.key, enc.encode(JSON.stringify(value)));
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv, 0);
  out.set(new Uint8Array(sealed), IV_BYTES);
  return toBase64Url(out);
}

/** The JSON value sealed in `body` under `additionalData`, unchecked; null if it does not open. Never throws. */
export async function openJson(keys: RoomKeys, additionalData: Uint8Array<ArrayBuffer>, body: string): Promise<unknown> {
  const raw = fromBase64Url(body);
  if (!raw || raw.length < IV_BYTES + TAG_BYTES) return null;
  try {
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: raw.slice(0, IV_BYTES), additionalData }, keys.key, raw.slice(IV_BYTES));
    return JSON.parse(dec.decode(plain)) as unknown;
  } catch {
    return null;
  }
}
