import * as v from 'valibot';
import { MAX_NICKNAME_CHARS, PEER_ID_PATTERN, UNSAFE_NAME_CHARS } from './constants.ts';
import { openJson, sealJson } from './sealed-json.ts';
import type { RoomKeys } from './crypto.ts';
import { PUBLIC_KEY_CHARS, SIGNATURE_CHARS, fingerprint, signFieldsBytes, verifyBytes } from './identity.ts';

// The sealed body of an EPHEMERAL frame (docs/protocol.md, "Ephemeral broadcasts: what is sealed").
// Sealed with the room key like a chat body, but under additional data of its own, so a chat
// body never opens as an ephemeral one or the reverse: a relay cannot turn one into the other.

/** Older (or, by more than clock skew, newer) than this by the sender's clock: dropped. */
export const EPHEMERAL_FRESH_MS = 30_000;
/** How long "is typing" stands after the last `typing` heard. */
export const TYPING_SHOWN_MS = 6_000;
/** A typist's `typing` goes out at most this often per room (less than TYPING_SHOWN_MS, so it never flickers). */
export const TYPING_EVERY_MS = 3_000;
/** EPHEMERAL is lossy: each client says `here` again this often in every live room with others in it. */
export const HERE_REPEAT_MS = 60_000;
/** Receipts (`got`) go out at most this often per room, each naming the highest seq stored. */
export const RECEIPT_EVERY_MS = 1_000;

const Key = v.pipe(v.string(), v.length(PUBLIC_KEY_CHARS), v.regex(/^[A-Za-z0-9_-]+$/));
const Sig = v.pipe(v.string(), v.length(SIGNATURE_CHARS), v.regex(/^[A-Za-z0-9_-]+$/));
const At = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
/**
 * The sender's own peer id in this room (ROOM's `peer`), inside the seal: a receiver drops a body
 * whose `peer` is not the `from` the relay stamped, so a relay cannot re-stamp one member's body
 * (a `got`, a `typing`) as another's.
 */
const Peer = v.pipe(v.string(), v.regex(PEER_ID_PATTERN));
const Nick = v.pipe(v.string(), v.maxLength(MAX_NICKNAME_CHARS), v.check((n) => !UNSAFE_NAME_CHARS.test(n)));

export const EphemeralSchema = v.variant('k', [
  /** Who I am in this room: `ask` asks every member to answer with their own `here`, once. */
  v.object({ v: v.literal(1), k: v.literal('here'), peer: Peer, at: At, nick: Nick, ask: v.boolean(), key: v.optional(Key), sig: v.optional(Sig) }),
  v.object({ v: v.literal(1), k: v.literal('typing'), peer: Peer, at: At }),
  v.object({ v: v.literal(1), k: v.literal('stopped'), peer: Peer, at: At }),
  /** I have stored every message of this room up to and including `seq`. */
  v.object({ v: v.literal(1), k: v.literal('got'), peer: Peer, at: At, seq: v.pipe(v.number(), v.safeInteger(), v.minValue(0)) }),
]);
export type Ephemeral = v.InferOutput<typeof EphemeralSchema>;
export type Here = Extract<Ephemeral, { k: 'here' }>;
/** A body before `sendEphemeral` puts our own peer id in it. */
export type Unstamped = WithoutPeer<Ephemeral>;
type WithoutPeer<E> = E extends unknown ? Omit<E, 'peer'> : never;

const enc = new TextEncoder();

/** Never the chat body's additional data (`parley/v1|room|id`): the prefix differs. */
const additionalData = (roomId: string): Uint8Array<ArrayBuffer> => enc.encode(`parley/v1 ephemeral|${roomId}`);

export function sealEphemeral(keys: RoomKeys, body: Ephemeral): Promise<string> {
  return sealJson(keys, additionalData(keys.roomId), body);
}

/**
 * The body, or null when it does not open under this room's key as an ephemeral body, is not
 * valid, or is stale (its `at` more than EPHEMERAL_FRESH_MS from `now`). Never throws.
 */
export async function openEphemeral(keys: RoomKeys, body: string, now: number): Promise<Ephemeral | null> {
  const checked = v.safeParse(EphemeralSchema, await openJson(keys, additionalData(keys.roomId), body));
  if (!checked.success || Math.abs(now - checked.output.at) > EPHEMERAL_FRESH_MS) return null;
  return checked.output;
}

/**
 * What a `here` signs: the room, the peer id the relay gave the sender on this connection (so a
 * member cannot replay someone's `here` as another peer), the key, the nickname and the time.
 */
export function hereBytes(roomId: string, peer: string, key: string, nick: string, at: number): Uint8Array<ArrayBuffer> {
  return enc.encode(`parley/v1 signed presence\n${JSON.stringify([roomId, peer, key, nick, at])}`);
}

/** Our signed `here` for `peer` (our own peer id in that room). */
export async function signedHere(
  me: { privateKey: CryptoKey; publicKey: string }, roomId: string, peer: string, nick: string, ask: boolean, at: number,
): Promise<Here> {
  const sig = await signFieldsBytes(me.privateKey, hereBytes(roomId, peer, me.publicKey, nick, at));
  return { v: 1, k: 'here', peer, at, nick, ask, key: me.publicKey, sig };
}

/** The fingerprint of the key that signed this `here` from `peer`, or null: unsigned or not verified. */
export async function verifiedHere(roomId: string, peer: string, here: Here): Promise<{ key: string; fingerprint: string } | null> {
  if (!here.key || !here.sig) return null;
  if (!(await verifyBytes(here.key, here.sig, hereBytes(roomId, peer, here.key, here.nick, here.at)))) return null;
  const print = await fingerprint(here.key);
  return print ? { key: here.key, fingerprint: print } : null;
}
