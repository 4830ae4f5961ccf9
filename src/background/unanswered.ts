import type { RelayLink } from './relay-link.ts';

/** One of our CHATMSG frames on the current connection that the relay has not answered yet. */
export interface Unanswered {
  roomId: string;
  id: string;
  /** The frame's length as the relay measures it (UTF-16 code units of the text). */
  size: number;
}

/** Our chat frames the current connection has not answered; reset when a socket opens. */
export interface WireLedger {
  /** In the order sent. */
  unanswered: Unanswered[];
}

export function newWireLedger(): WireLedger {
  return { unanswered: [] };
}

// FRAME_TOO_LARGE, a 1009 close and a BAD_FRAME for a chat message cannot name the message: the
// relay did not read it (docs/protocol.md, "Errors").
// - Too large: the longest unanswered message. It is at least as long as the refused one, so this
//   relay refuses it too (if it is not the one, its own refusal then takes the next longest): no
//   message the relay would take is ever set aside, whatever the rate gate held or dropped.
// - BAD_FRAME: by order. The relay handles a connection's frames in order and answers each CHATMSG
//   it handles with one ACK or ERROR (only RATE_LIMITED answers out of turn, for a frame it never
//   handles), so it is the oldest unanswered one.

export function noteSent(link: RelayLink, roomId: string, id: string, size: number): void {
  link.wire.unanswered.push({ roomId, id, size });
}

/**
 * The relay answered message `id` (ACK, or an ERROR that names it). Frames sent before it that
 * are still unanswered were dropped with RATE_LIMITED (answered in order otherwise) and are resent
 * under a new entry, so they go too.
 */
export function noteAnswered(link: RelayLink, roomId: string, id: string): void {
  const { unanswered } = link.wire;
  const at = unanswered.findIndex((u) => u.roomId === roomId && u.id === id);
  if (at < 0) return;
  link.wire.unanswered = unanswered.slice(at + 1).filter((u) => u.roomId !== roomId || u.id !== id);
}

/** The message a refusal that names none refers to, taken off the ledger; undefined if none fits. */
export function takeRefused(link: RelayLink, tooLarge: boolean): Unanswered | undefined {
  const { unanswered } = link.wire;
  let at = 0;
  if (tooLarge) for (let i = 1; i < unanswered.length; i++) if (unanswered[i]!.size > unanswered[at]!.size) at = i;
  const refused = unanswered[at];
  if (!refused) return undefined;
  // Frames sent before a BAD_FRAME's were answered or dropped; a too-large one says nothing of them.
  const rest = tooLarge ? unanswered.filter((_, i) => i !== at) : unanswered.slice(at + 1);
  link.wire.unanswered = rest.filter((u) => u.roomId !== refused.roomId || u.id !== refused.id);
  return refused;
}
