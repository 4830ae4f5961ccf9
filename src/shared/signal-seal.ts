import * as v from 'valibot';
import { PEER_ID_PATTERN } from './constants.ts';
import { openJson, sealJson } from './sealed-json.ts';
import type { RoomKeys } from './crypto.ts';
import type { SignalKind } from './protocol.ts';

// The sealed body of a SIGNAL frame (docs/protocol.md, "What is sealed in a signal body"). The
// relay forwards offers, answers and candidates; sealing them keeps SDP and addresses from it.
// Own additional data, so chat and ephemeral bodies never open as signals or the reverse.

/** Older (or, by more than clock skew, newer) than this by the sender's clock: dropped. */
export const SIGNAL_FRESH_MS = 30_000;
/** An SDP for one data channel is well under 2 KB; this leaves room for many candidates' lines. */
export const MAX_SIGNAL_DATA_CHARS = 16_384;

const Peer = v.pipe(v.string(), v.regex(PEER_ID_PATTERN));
export const SignalPlaintextSchema = v.strictObject({
  v: v.literal(1),
  kind: v.picklist(['offer', 'answer', 'candidate']),
  from: Peer,
  to: Peer,
  at: v.pipe(v.number(), v.safeInteger(), v.minValue(0)),
  data: v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_SIGNAL_DATA_CHARS)),
});
export type SignalPlaintext = v.InferOutput<typeof SignalPlaintextSchema>;

const enc = new TextEncoder();

const additionalData = (roomId: string): Uint8Array<ArrayBuffer> => enc.encode(`parley/v1 signal|${roomId}`);

export function sealSignal(keys: RoomKeys, body: SignalPlaintext): Promise<string> {
  return sealJson(keys, additionalData(keys.roomId), body);
}

/** What the relay's frame says and what the receiver knows itself, checked against the seal. */
export interface SignalEnvelope {
  kind: SignalKind;
  /** The `from` the relay stamped. */
  from: string;
  /** Our own peer id in this room on this connection. */
  me: string;
}

/** The signal, or null when it does not open, is not valid, names other peers or kind, or is stale. Never throws. */
export async function openSignal(keys: RoomKeys, body: string, envelope: SignalEnvelope, now: number): Promise<SignalPlaintext | null> {
  const checked = v.safeParse(SignalPlaintextSchema, await openJson(keys, additionalData(keys.roomId), body));
  if (!checked.success) return null;
  const s = checked.output;
  if (s.kind !== envelope.kind || s.from !== envelope.from || s.to !== envelope.me || Math.abs(now - s.at) > SIGNAL_FRESH_MS) return null;
  return s;
}
