import { BASE32_ALPHABET } from './constants.ts';
import { fromBase64Url, toBase64Url } from './base64url.ts';

// Signing keys for "who sent this". WebCrypto only, so the same file runs in the service worker,
// the popup and Node 20. Ed25519: Chromium 156 and Node 20 both generate it with a
// non-extractable private key, export the public key raw (32 bytes) and sign deterministically
// (64 bytes), which keeps the sealed body small. The rules that use these functions (what is
// verified, when a nickname is flagged) are in src/background/identity-rules.ts.

export const SIGNING_ALGORITHM = { name: 'Ed25519' } as const;
/** base64url of a raw Ed25519 public key (32 bytes). */
export const PUBLIC_KEY_CHARS = 43;
/** base64url of an Ed25519 signature (64 bytes). */
export const SIGNATURE_CHARS = 86;
/** 8 symbols = the first 40 bits of SHA-256(public key), shown as two groups of four. */
export const FINGERPRINT_SYMBOLS = 8;
/** 20 symbols = 100 bits, shown as five groups of four. */
export const SAFETY_CODE_SYMBOLS = 20;

const enc = new TextEncoder();

/** A new installation identity: the private key can sign but never leave WebCrypto. */
export async function newSigningKeys(): Promise<CryptoKeyPair> {
  return (await crypto.subtle.generateKey(SIGNING_ALGORITHM, false, ['sign', 'verify'])) as CryptoKeyPair;
}

export async function publicKeyText(publicKey: CryptoKey): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.exportKey('raw', publicKey)));
}

/** The raw bytes of a public key in its text form, or null if it is not one. */
export function publicKeyBytes(text: string): Uint8Array<ArrayBuffer> | null {
  if (text.length !== PUBLIC_KEY_CHARS) return null;
  const raw = fromBase64Url(text);
  return raw && raw.length === 32 ? (raw as Uint8Array<ArrayBuffer>) : null;
}

/** Everything a signature covers: where the message belongs, under which id, and what it says. */
export interface SignedFields {
  roomId: string;
  messageId: string;
  /** The signer's public key (text form): bound too, so a signature names its own key. */
  key: string;
  nick: string;
  text: string;
  sentAt: number;
  /** The id of the message answered (docs/protocol.md "What a sealed body holds"). */
  reply?: string | undefined;
  /** An event on an earlier message, as signed: [kind, target, emoji or null]. */
  ev?: readonly [string, string, string | null] | undefined;
  /** The page of the line's thread, as signed: [url, title]. */
  page?: readonly [string, string] | undefined;
  /** A quoted passage, as signed: [text, url, prefix, suffix]. */
  quote?: readonly [string, string, string, string] | undefined;
}

/**
 * One unambiguous byte string per message: a JSON array has one encoding for given strings and
 * integers, and its quoting keeps a field from running into the next.
 */
export function signedBytes(f: SignedFields): Uint8Array<ArrayBuffer> {
  // v2 only when a new field is there, so every message signed before them still verifies; the
  // label differs too, so a v1 signature can never stand for a v2 body or the reverse.
  if (f.page !== undefined || f.quote !== undefined) {
    return enc.encode(`parley/v3 signed message\n${JSON.stringify([f.roomId, f.messageId, f.key, f.nick, f.text, f.sentAt, f.reply ?? null, f.ev ?? null, f.page ?? null, f.quote ?? null])}`);
  }
  if (f.reply !== undefined || f.ev !== undefined) {
    return enc.encode(`parley/v2 signed message\n${JSON.stringify([f.roomId, f.messageId, f.key, f.nick, f.text, f.sentAt, f.reply ?? null, f.ev ?? null])}`);
  }
  return enc.encode(`parley/v1 signed message\n${JSON.stringify([f.roomId, f.messageId, f.key, f.nick, f.text, f.sentAt])}`);
}

export async function signFields(privateKey: CryptoKey, fields: SignedFields): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign(SIGNING_ALGORITHM, privateKey, signedBytes(fields))));
}

/** Signs any byte string that names what it is (a presence, src/shared/ephemeral.ts). */
export async function signFieldsBytes(privateKey: CryptoKey, bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign(SIGNING_ALGORITHM, privateKey, bytes)));
}

/** Never throws: a bad key, a bad signature or a wrong field is simply `false`. */
export async function verifyBytes(publicKey: string, signature: string, bytes: Uint8Array<ArrayBuffer>): Promise<boolean> {
  const raw = publicKeyBytes(publicKey);
  const sig = signature.length === SIGNATURE_CHARS ? fromBase64Url(signature) : null;
  if (!raw || !sig || sig.length !== 64) return false;
  try {
    const key = await crypto.subtle.importKey('raw', raw, SIGNING_ALGORITHM, false, ['verify']);
    return await crypto.subtle.verify(SIGNING_ALGORITHM, key, sig as Uint8Array<ArrayBuffer>, bytes);
  } catch {
    return false;
  }
}

export function verifyFields(signature: string, fields: SignedFields): Promise<boolean> {
  return verifyBytes(fields.key, signature, signedBytes(fields));
}

/** The first `symbols` × 5 bits of `bytes`, most significant first, in Crockford base32. */
export function base32Bits(bytes: Uint8Array, symbols: number): string {
  let out = '';
  for (let i = 0; i < symbols; i++) {
    let value = 0;
    for (let bit = i * 5; bit < i * 5 + 5; bit++) {
      value = (value << 1) | ((bytes[bit >> 3]! >> (7 - (bit & 7))) & 1);
    }
    out += BASE32_ALPHABET[value];
  }
  return out;
}

const groups = (symbols: string): string => symbols.match(/.{1,4}/g)!.join('-');

async function sha256(...parts: Uint8Array[]): Promise<Uint8Array> {
  const total = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    total.set(p, at);
    at += p.length;
  }
  return new Uint8Array(await crypto.subtle.digest('SHA-256', total));
}

/** A short name for a key ("7K2M-9QXA"): the first 40 bits of SHA-256 over its raw bytes. */
export async function fingerprint(publicKey: string): Promise<string | null> {
  const raw = publicKeyBytes(publicKey);
  return raw ? groups(base32Bits(await sha256(raw), FINGERPRINT_SYMBOLS)) : null;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * The code two people read to each other: SHA-256 over a label and both raw keys, the smaller
 * first, so each side computes the same code; 100 bits, five groups of four.
 */
export async function safetyCode(keyA: string, keyB: string): Promise<string | null> {
  const a = publicKeyBytes(keyA);
  const b = publicKeyBytes(keyB);
  if (!a || !b) return null;
  const [first, second] = compareBytes(a, b) <= 0 ? [a, b] : [b, a];
  return groups(base32Bits(await sha256(enc.encode('parley/v1 safety code'), first, second), SAFETY_CODE_SYMBOLS));
}
