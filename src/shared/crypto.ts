import * as v from 'valibot';
import { MAX_NICKNAME_CHARS, MAX_PAGE_TITLE_CHARS, MAX_PAGE_URL_CHARS, MAX_PLAINTEXT_BYTES, MAX_QUOTE_CHARS, MAX_QUOTE_CONTEXT_CHARS, MAX_REACTION_CHARS, MESSAGE_ID_LENGTH, MAX_TEXT_CHARS, UNSAFE_NAME_CHARS } from './constants.ts';
import { fromBase64Url, toBase64Url } from './base64url.ts';
import { PUBLIC_KEY_CHARS, SIGNATURE_CHARS } from './identity.ts';
import type { RoomCode } from './room-code.ts';
import { err, ok, type Result } from './result.ts';

// WebCrypto only: the same code runs in the service worker, the popup and Node 20.

export type RoomId = string & { readonly __brand: 'RoomId' };

export interface RoomKeys {
  roomId: RoomId;
  key: CryptoKey;
}

const TargetId = v.pipe(v.string(), v.length(MESSAGE_ID_LENGTH), v.regex(/^[0-9A-HJKMNP-TV-Z]+$/));

/** An http(s) address: nothing else may be opened from a line (javascript:, data:, file:...). */
const PageUrl = v.pipe(v.string(), v.maxLength(MAX_PAGE_URL_CHARS), v.regex(/^https?:\/\/[^\s]+$/));

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
/** One grapheme, short, with a pictograph or a regional indicator in it (docs/protocol.md). */
export function isOneEmoji(s: string): boolean {
  if (s.length === 0 || s.length > MAX_REACTION_CHARS) return false;
  if (!/\p{Extended_Pictographic}|\p{Regional_Indicator}/u.test(s)) return false;
  let n = 0;
  for (const _ of graphemes.segment(s)) if (++n > 1) return false;
  return true;
}

/** What is sealed inside every chat frame: all user-written data, never seen by the relay. */
export const ChatPlaintextSchema = v.object({
  v: v.literal(1),
  text: v.pipe(v.string(), v.maxLength(MAX_TEXT_CHARS)),
  // Checked on open too: a modified peer could skip its own settings check.
  nick: v.pipe(v.string(), v.maxLength(MAX_NICKNAME_CHARS), v.check((n) => !UNSAFE_NAME_CHARS.test(n))),
  sentAt: v.pipe(v.number(), v.integer(), v.minValue(0)),
  // The sender's identity (src/shared/identity.ts): its public key and a signature over the room,
  // the id and the fields above. Optional so older peers' messages still open, shown unverified.
  key: v.optional(v.pipe(v.string(), v.length(PUBLIC_KEY_CHARS), v.regex(/^[A-Za-z0-9_-]+$/))),
  sig: v.optional(v.pipe(v.string(), v.length(SIGNATURE_CHARS), v.regex(/^[A-Za-z0-9_-]+$/))),
  // docs/protocol.md "What a sealed body holds": an answer's quoted id, or an event on a message.
  reply: v.optional(TargetId),
  ev: v.optional(v.object({
    kind: v.picklist(['edit', 'delete', 'react', 'unreact']),
    target: TargetId,
    emoji: v.optional(v.pipe(v.string(), v.check(isOneEmoji))),
  })),
  // docs/protocol.md "What a sealed body holds": the page whose private thread a line is in.
  page: v.optional(v.object({ url: PageUrl, title: v.pipe(v.string(), v.maxLength(MAX_PAGE_TITLE_CHARS)) })),
  // A passage quoted from a page, with the words around it that find it again (a text fragment).
  quote: v.optional(v.object({
    text: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_QUOTE_CHARS)),
    url: PageUrl,
    prefix: v.pipe(v.string(), v.maxLength(MAX_QUOTE_CONTEXT_CHARS)),
    suffix: v.pipe(v.string(), v.maxLength(MAX_QUOTE_CONTEXT_CHARS)),
  })),
});
export type ChatPlaintext = v.InferOutput<typeof ChatPlaintextSchema>;

export type CryptoErrorCode = 'TOO_LONG' | 'MALFORMED' | 'OPEN_FAILED';
export interface CryptoError {
  code: CryptoErrorCode;
  message: string;
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });
const SALT = enc.encode('parley/v1 room');
const IV_BYTES = 12;

/** HKDF from the code to (a) the id the relay sees and (b) the AES-256-GCM key it never does. */
export async function deriveRoomKeys(code: RoomCode): Promise<RoomKeys> {
  const ikm = await crypto.subtle.importKey('raw', enc.encode(code), 'HKDF', false, ['deriveBits', 'deriveKey']);
  const idBits = await crypto.subtle.deriveBits(
    { name: 'HKDF', hash: 'SHA-256', salt: SALT, info: enc.encode('room-id') },
    ikm,
    256,
  );
  const key = await crypto.subtle.deriveKey(
    { name: 'HKDF', hash: 'SHA-256', salt: SALT, info: enc.encode('message-key') },
    ikm,
    { name: 'AES-GCM', length: 256 },
    false,
    ['encrypt', 'decrypt'],
  );
  return { roomId: toBase64Url(new Uint8Array(idBits)) as RoomId, key };
}

/** Binds a ciphertext to one room and one message id, so it cannot be moved or replayed elsewhere. */
function additionalData(roomId: string, messageId: string): Uint8Array<ArrayBuffer> {
  return enc.encode(`parley/v1|${roomId}|${messageId}`);
}

export async function sealMessage(
  keys: RoomKeys,
  messageId: string,
  plaintext: ChatPlaintext,
): Promise<Result<string, CryptoError>> {
  const bytes = enc.encode(JSON.stringify(plaintext));
  if (plaintext.text.length > MAX_TEXT_CHARS) {
    return err({ code: 'TOO_LONG', message: `Messages are limited to ${MAX_TEXT_CHARS} characters.` });
  }
  if (bytes.length > MAX_PLAINTEXT_BYTES) {
    // Only a very long text that also carries a page or a quote gets here (constants.ts).
    return err({ code: 'TOO_LONG', message: 'This message is too long to send with its quote or page: shorten the text.' });
  }
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: additionalData(keys.roomId, messageId) },
    keys.key,
    bytes,
  );
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv, 0);
  out.set(new Uint8Array(sealed), IV_BYTES);
  return ok(toBase64Url(out));
}

/** Never throws: a body from a hostile peer or relay is a typed error, not an exception. */
export async function openMessage(
  keys: RoomKeys,
  roomId: string,
  messageId: string,
  body: string,
): Promise<Result<ChatPlaintext, CryptoError>> {
  const raw = fromBase64Url(body);
  if (!raw || raw.length < IV_BYTES + 16) return err({ code: 'MALFORMED', message: 'The message is not a sealed Parley body.' });
  let plain: ArrayBuffer;
  try {
    plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: raw.slice(0, IV_BYTES), additionalData: additionalData(roomId, messageId) },
      keys.key,
      raw.slice(IV_BYTES),
    );
  } catch {
    return err({ code: 'OPEN_FAILED', message: 'A message could not be opened: it was altered, replayed or sent to the wrong room.' });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(dec.decode(plain));
  } catch {
    return err({ code: 'MALFORMED', message: 'A message opened but its content is not valid.' });
  }
  const checked = v.safeParse(ChatPlaintextSchema, parsed);
  if (!checked.success || !fieldsAgree(checked.output)) return err({ code: 'MALFORMED', message: 'A message opened but its content is not valid.' });
  return ok(checked.output);
}

/** The combinations docs/protocol.md allows: an answer or an event, never both; what each kind carries. */
export function fieldsAgree(p: ChatPlaintext): boolean {
  if (!p.ev) return true;
  if (p.reply !== undefined) return false;
  switch (p.ev.kind) {
    case 'edit': return p.ev.emoji === undefined && p.text.trim().length > 0;
    case 'delete': return p.ev.emoji === undefined && p.text === '';
    case 'react':
    case 'unreact': return p.ev.emoji !== undefined && p.text === '';
  }
}
