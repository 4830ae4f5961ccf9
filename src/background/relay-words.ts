import type { ErrorCode } from '../shared/protocol.ts';
import type { RefusedWhy } from './db.ts';

// What the user reads for everything the relay can say. One table, typed over ErrorCode: a code
// added to ERROR_CODES without words here is a compile error. To add one, add a line.

export interface WordsContext {
  /** The relay's address as the user typed it. */
  url: string;
  /** Rooms per connection this relay allows, once learned from its TOO_MANY_ROOMS. */
  roomLimit: number | null;
}

export const RELAY_ERROR_WORDS: { readonly [K in ErrorCode]: (c: WordsContext) => string } = {
  BAD_FRAME: () => 'The relay could not read something Parley sent (is it a different version?). It was not delivered.',
  UNKNOWN_TYPE: () => 'The relay does not understand this version of Parley.',
  BINARY_FRAME: () => 'The relay refused something Parley sent in a form it does not accept.',
  FRAME_TOO_LARGE: () => 'A message was too large for this relay and was not delivered.',
  NOT_IN_ROOM: () => 'The relay had lost track of this room: joining it again.',
  NO_SUCH_PEER: () => 'That member is no longer in the room.',
  RATE_LIMITED: () => 'Sending faster than the relay allows: the rest goes out in a moment.',
  TOO_MANY_ROOMS: (c) => c.roomLimit === null
    ? 'This relay allows no more rooms per connection: leave one to join another.'
    : `This relay allows ${c.roomLimit} rooms per connection: leave one to join another.`,
  ROOM_FULL: () => 'Room is full: the relay lets no more members in. Parley asks again when you open Parley.',
  INTERNAL: () => 'The relay failed to handle a request: trying again.',
  TOO_MANY_CONNECTIONS: () => 'Too many connections from your network to this relay.',
  ORIGIN_DENIED: () => 'The relay refused this browser (origin not allowed). Ask its operator to allow Parley, or choose another relay in settings.',
  IDLE_TIMEOUT: () => 'The relay closed the connection after a silence.',
  SLOW_CONSUMER: () => 'The relay cut the connection because this browser did not keep up.',
  SHUTTING_DOWN: () => 'The relay is restarting.',
  CONNECTING_TOO_FAST: () => 'Your network is opening connections to this relay faster than it allows.',
  RELAY_FULL: () => 'The relay is full: it has as many connections as it allows.',
  ADDRESS_BUFFERS_FULL: () => 'The relay cut the connection: browsers on your network were not reading what it sent fast enough.',
  RELAY_BUFFERS_FULL: () => 'The relay is overloaded and cut the connection.',
  // Both drop the socket before it opens, so a browser sees them only as a connection that failed.
  TOO_MANY_HANDSHAKES: () => 'The relay is busy and did not accept the connection.',
  HANDSHAKE_TIMEOUT: () => 'The connection to the relay was too slow to start.',
  TOO_MANY_NEW_ROOMS: () => 'Your network has created as many new rooms on this relay as it allows in an hour. Join an existing room, or try again later.',
  // Never shown: relay-frames/on-error.ts absorbs it quietly (docs/protocol.md, "What is sealed in
  // an ephemeral body"); typing, presence and receipts are repeated anyway. Worded for logs.
  EPHEMERAL_RATE_LIMITED: () => 'The relay dropped a typing, presence or delivery update (too many at once); the next one goes out as usual.',
  DAILY_QUOTA: () => 'Your network has stored as much on this relay today as it allows. Your message waits and is sent again later.',
};

/** Why one of our messages is not sent yet, for the refusals that hold it back (outbox.ts). */
export const NOT_SENT_WORDS = {
  DAILY_QUOTA: 'your network has stored as much on this relay today as it allows.',
} as const;

/** Why one of our messages will not be sent as it is (outbox.ts, refuseMessage): "Not sent: …". */
export const REFUSED_WORDS: { readonly [K in RefusedWhy]: string } = {
  FRAME_TOO_LARGE: 'the relay refused it (too large for this relay, which takes shorter messages than Parley does). Send it in shorter parts.',
  CLOSED_TOO_LARGE: 'the relay refused it (too large for this relay, which closed the connection over it). Send it in shorter parts.',
  BAD_FRAME: 'the relay refused it (it could not read it: is the relay a different version of Parley?).',
};

export function isErrorCode(text: string): text is ErrorCode {
  return Object.hasOwn(RELAY_ERROR_WORDS, text);
}

/**
 * Words for a closed connection. A relay that turns a socket away closes it with the error code
 * as the reason; other close codes come from the WebSocket layer or the network.
 */
export function closeWords(
  close: { code: number; reason: string; opened: boolean; timedOutMs?: number; after?: ErrorCode },
  c: WordsContext,
): string {
  if (isErrorCode(close.reason)) return RELAY_ERROR_WORDS[close.reason](c);
  // Failures that follow a relay's SHUTTING_DOWN or CONNECTING_TOO_FAST are still that, not a
  // wrong address: it drops further sockets before they open (relay-socket.ts, SILENT_AFTER).
  if (close.after !== undefined) return RELAY_ERROR_WORDS[close.after](c);
  if (close.timedOutMs !== undefined) return `${c.url} did not answer within ${Math.round(close.timedOutMs / 1000)} s`;
  switch (close.code) {
    case 1006:
      // A refused TCP connection, a server that is not a WebSocket relay, a failed TLS handshake:
      // a browser reports all of them alike, before the socket opens.
      return close.opened ? `Lost the connection to ${c.url}` : `Can't reach ${c.url}`;
    case 1009:
      return 'The relay closed the connection: something Parley sent was too large.';
    case 1007:
      return 'The relay closed the connection: it received text that was not valid.';
    case 1000:
    case 1001:
      return 'The relay closed the connection.';
    default:
      return `The relay closed the connection (code ${close.code}).`;
  }
}
