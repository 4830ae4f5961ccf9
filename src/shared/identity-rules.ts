import type { ChatPlaintext } from './crypto.ts';
import { fingerprint, safetyCode, signFields, verifyFields, type SignedFields } from './identity.ts';
import type { ChatItem, SenderCheck } from './view-messages.ts';

// The rules for "who sent this message". Every send and every receive goes through this module:
// src/background/intents/send-message.ts calls signOutgoing, relay-frames/on-chat-message.ts
// calls checkIncoming, and the views word the result with senderLabel.
//
// 1. What is verified. Opening a sealed body proves only that someone holding the room code
//    sealed it for this room and this message id. Each installation also holds an Ed25519 key
//    pair (private half non-extractable, in IndexedDB) and signs, inside the seal, the room id,
//    the message id, its own public key, the nickname, the text and its clock. A received message
//    is VERIFIED when its body carries a public key and a signature by that key over exactly
//    those fields for the room and id it arrived under. Otherwise (no signature, a signature that
//    fails, a copied key without its private half, a signed body that a member sealed again
//    under another id or for another room) it is
//    UNVERIFIED: its text is shown, under "Unverified sender", never under the nickname it claims.
// 2. What a fingerprint is. The first 40 bits of SHA-256 over the raw 32-byte public key, as 8
//    Crockford base32 symbols in two groups ("7K2M-9QXA"), shown beside every verified nickname.
//    It is a name to recognise, not a proof: matching one takes about 2^40 key generations. The
//    proof is the safety code: SHA-256 over a label and both full public keys, smaller first, so
//    both sides compute the same 100 bits (five groups of four). Two people who read the same
//    code to each other, over a channel they trust, hold each other's real keys.
// 3. When a nickname is flagged. Per room, this device remembers the first key it saw under each
//    nickname (compared after Unicode NFKC, dropping invisible characters, case folding and
//    collapsing spaces, so "Ana", "A\u200Bna" and " ana" are one name), including its own nickname when it sends. A verified message whose
//    nickname was first seen here under another key is shown as "<nick> (another key than
//    before)". The remembered key never changes: if an impostor spoke first, the real person is
//    the one flagged, and the safety code tells them apart. Messages without a nickname
//    ("Anonymous") are never flagged: they claim no name. Look-alike letters from other scripts
//    are different names and are not caught; the fingerprint beside each name is.

/** Where the first key per (room, nickname) is kept; `claim` stores `key` if none is, and returns the first. */
export interface SenderMemory {
  claim(roomId: string, nick: string, key: string): Promise<string>;
}

export interface SigningIdentity {
  privateKey: CryptoKey;
  publicKey: string;
  fingerprint: string;
}

export const UNVERIFIED: SenderCheck = { verified: false };
export const OTHER_KEY_LABEL = '(another key than before)';
export const UNVERIFIED_LABEL = 'Unverified sender';
/** After a name no signature stands behind (a member's unsigned or forged presence). */
export const NOT_VERIFIED_MARK = '(not verified)';

/** The form in which two nicknames are compared (rule 3). */
export function nicknameKey(nick: string): string {
  // Invisible characters (zero-width space, soft hyphen, direction marks...) would make a name
  // that looks the same compare as another name; upper-then-lower approximates case folding (ß, ﬀ).
  return nick.normalize('NFKC').replace(/\p{Default_Ignorable_Code_Point}/gu, '')
    .toUpperCase().toLowerCase().replace(/\s+/g, ' ').trim();
}

const fieldsOf = (roomId: string, messageId: string, key: string, p: Pick<ChatPlaintext, 'nick' | 'text' | 'sentAt' | 'reply' | 'ev' | 'page' | 'quote'>): SignedFields => ({
  roomId, messageId, key, nick: p.nick, text: p.text, sentAt: p.sentAt, reply: p.reply,
  ev: p.ev ? [p.ev.kind, p.ev.target, p.ev.emoji ?? null] : undefined,
  page: p.page ? [p.page.url, p.page.title] : undefined,
  quote: p.quote ? [p.quote.text, p.quote.url, p.quote.prefix, p.quote.suffix] : undefined,
});

/** What a sender may add to a message: an answered id, or an event (docs/protocol.md "What a sealed body holds"). */
export type MessageExtras = Pick<ChatPlaintext, 'reply' | 'ev' | 'page' | 'quote'>;

/** Signs what we send, and remembers our own nickname under our key in this room. */
export async function signOutgoing(
  me: SigningIdentity,
  memory: SenderMemory,
  roomId: string,
  messageId: string,
  content: { text: string; nick: string; sentAt: number } & MessageExtras,
): Promise<{ plaintext: ChatPlaintext; sender: SenderCheck }> {
  const sig = await signFields(me.privateKey, fieldsOf(roomId, messageId, me.publicKey, content));
  const name = nicknameKey(content.nick);
  if (name) await memory.claim(roomId, name, me.publicKey);
  return {
    plaintext: {
      v: 1, text: content.text, nick: content.nick, sentAt: content.sentAt, key: me.publicKey, sig,
      ...(content.reply !== undefined ? { reply: content.reply } : {}), ...(content.ev ? { ev: content.ev } : {}),
      ...(content.page ? { page: content.page } : {}), ...(content.quote ? { quote: content.quote } : {}),
    },
    sender: { verified: true, key: me.publicKey, fingerprint: me.fingerprint, safetyCode: null, otherKey: false },
  };
}

/** Rules 1 to 3 for a body that opened under `roomId` and `messageId`. */
export async function checkIncoming(
  ownKey: string,
  memory: SenderMemory,
  roomId: string,
  messageId: string,
  plain: ChatPlaintext,
): Promise<SenderCheck> {
  if (!plain.key || !plain.sig) return UNVERIFIED;
  if (!(await verifyFields(plain.sig, fieldsOf(roomId, messageId, plain.key, plain)))) return UNVERIFIED;
  const print = await fingerprint(plain.key);
  const code = await safetyCode(ownKey, plain.key);
  if (!print || !code) return UNVERIFIED;
  const name = nicknameKey(plain.nick);
  const first = name ? await memory.claim(roomId, name, plain.key) : plain.key;
  return { verified: true, key: plain.key, fingerprint: print, safetyCode: code, otherKey: first !== plain.key };
}

/** How a line's sender is worded, for the chat and for the room list's last-message preview. */
export function senderLabel(item: Pick<ChatItem, 'mine' | 'nick' | 'sender'>): { name: string; flag: string | null; fingerprint: string | null } {
  if (item.mine) return { name: 'You', flag: null, fingerprint: item.sender?.verified ? item.sender.fingerprint : null };
  if (!item.sender?.verified) return { name: UNVERIFIED_LABEL, flag: null, fingerprint: null };
  return { name: item.nick || 'Anonymous', flag: item.sender.otherKey ? OTHER_KEY_LABEL : null, fingerprint: item.sender.fingerprint };
}
