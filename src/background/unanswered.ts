import type { Background } from './context.ts';

/** One of our CHATMSG frames on the current connection that the relay has not answered yet. */
export interface Unanswered {
  roomId: string;
  id: string;
  /** The frame's length as the relay measures it (UTF-16 code units of the text). */
  size: number;
}

/** What the current connection has told us about our chat frames; reset when a socket opens. */
export interface WireLedger {
  /** In the order sent. */
  unanswered: Unanswered[];
  /** The largest frame the relay acked on this connection: its frame limit is at least this. */
  largestAccepted: number;
}

export function newWireLedger(): WireLedger {
  return { unanswered: [], largestAccepted: 0 };
}

// FRAME_TOO_LARGE, a 1009 close and a BAD_FRAME for a chat message cannot name the message: the
// relay did not read it. The relay handles one connection's frames in order and answers each
// CHATMSG it handles with one ACK or ERROR (only RATE_LIMITED answers a frame out of turn, and never
// handles it), so the refused message is found by order: the oldest unanswered one that could be
// it. For "too large", that is one longer than any the relay accepted on this connection.

export function noteSent(bg: Background, roomId: string, id: string, size: number): void {
  bg.wire.unanswered.push({ roomId, id, size });
}

/**
 * The relay answered message `id` (ACK, or an ERROR that names it). Frames sent before it that
 * are still unanswered were dropped with RATE_LIMITED (answered in order otherwise) and are resent
 * under a new entry, so they go too.
 */
export function noteAnswered(bg: Background, roomId: string, id: string, accepted: boolean): void {
  const { unanswered } = bg.wire;
  const at = unanswered.findIndex((u) => u.roomId === roomId && u.id === id);
  if (at < 0) return;
  if (accepted) bg.wire.largestAccepted = Math.max(bg.wire.largestAccepted, unanswered[at]!.size);
  bg.wire.unanswered = unanswered.slice(at + 1).filter((u) => u.roomId !== roomId || u.id !== id);
}

/** The message a refusal that names none refers to, taken off the ledger; undefined if none fits. */
export function takeRefused(bg: Background, tooLarge: boolean): Unanswered | undefined {
  const { unanswered, largestAccepted } = bg.wire;
  const at = tooLarge ? unanswered.findIndex((u) => u.size > largestAccepted) : 0;
  const refused = unanswered[at];
  if (!refused) return undefined;
  bg.wire.unanswered = unanswered.slice(at + 1).filter((u) => u.roomId !== refused.roomId || u.id !== refused.id);
  return refused;
}
