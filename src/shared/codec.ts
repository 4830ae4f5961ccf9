import * as v from 'valibot';
import { MAX_BODY_CHARS, MAX_EPHEMERAL_BODY_CHARS, MESSAGE_ID_LENGTH, PEER_ID_PATTERN, ROOM_ID_LENGTH } from './constants.ts';
import type { ClientToRelay, ErrorCode, RelayToClient } from './protocol.ts';
import { err, ok, type Result } from './result.ts';

// Validating codec, shared by relay (for client frames) and extension (for relay frames).
// Output objects hold only the schema's keys, so nothing a sender adds is ever forwarded.

const Seq = v.pipe(v.number(), v.safeInteger(), v.minValue(0));
const RoomId = v.pipe(v.string(), v.length(ROOM_ID_LENGTH), v.regex(/^[A-Za-z0-9_-]+$/));
const MessageId = v.pipe(v.string(), v.length(MESSAGE_ID_LENGTH), v.regex(/^[0-9A-HJKMNP-TV-Z]+$/));
const PeerId = v.pipe(v.string(), v.regex(PEER_ID_PATTERN));
const Body = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_BODY_CHARS), v.regex(/^[A-Za-z0-9_-]+$/));
const EphemeralBody = v.pipe(v.string(), v.minLength(1), v.maxLength(MAX_EPHEMERAL_BODY_CHARS), v.regex(/^[A-Za-z0-9_-]+$/));
const SignalKind = v.picklist(['offer', 'answer', 'candidate']);
const Time = v.pipe(v.number(), v.safeInteger(), v.minValue(0));

const clientSchemas = {
  GETROOM: v.object({ type: v.literal('GETROOM'), room: RoomId, since: v.optional(Seq) }),
  ENTERROOM: v.object({ type: v.literal('ENTERROOM'), room: RoomId, since: v.optional(Seq) }),
  LEAVE: v.object({ type: v.literal('LEAVE'), room: RoomId }),
  CHATMSG: v.object({ type: v.literal('CHATMSG'), room: RoomId, id: MessageId, body: Body }),
  SIGNAL: v.object({ type: v.literal('SIGNAL'), room: RoomId, to: PeerId, kind: SignalKind, body: Body }),
  PING: v.object({ type: v.literal('PING'), t: Time }),
  EPHEMERAL: v.object({ type: v.literal('EPHEMERAL'), room: RoomId, body: EphemeralBody }),
} satisfies { [K in ClientToRelay['type']]: v.GenericSchema<unknown, Extract<ClientToRelay, { type: K }>> };

const ErrorCodeSchema = v.picklist([
  'BAD_FRAME', 'UNKNOWN_TYPE', 'BINARY_FRAME', 'FRAME_TOO_LARGE', 'NOT_IN_ROOM', 'NO_SUCH_PEER',
  'RATE_LIMITED', 'TOO_MANY_ROOMS', 'ROOM_FULL', 'TOO_MANY_CONNECTIONS', 'ORIGIN_DENIED',
  'IDLE_TIMEOUT', 'SLOW_CONSUMER', 'SHUTTING_DOWN', 'INTERNAL',
  'TOO_MANY_NEW_ROOMS', 'DAILY_QUOTA', 'EPHEMERAL_RATE_LIMITED',
  'CONNECTING_TOO_FAST', 'RELAY_FULL', 'ADDRESS_BUFFERS_FULL', 'RELAY_BUFFERS_FULL', 'TOO_MANY_HANDSHAKES', 'HANDSHAKE_TIMEOUT',
] as const satisfies readonly ErrorCode[]);

const relaySchemas = {
  ROOM: v.object({
    type: v.literal('ROOM'), room: RoomId, peer: PeerId, members: v.array(PeerId), head: Seq, epoch: Time, created: v.boolean(),
  }),
  WRONGROOM: v.object({ type: v.literal('WRONGROOM'), room: RoomId, reason: v.pipe(v.string(), v.maxLength(500)) }),
  CHATMSG: v.object({
    type: v.literal('CHATMSG'), room: RoomId, id: MessageId, body: Body, from: PeerId, seq: Seq, at: Time,
  }),
  ACK: v.object({ type: v.literal('ACK'), room: RoomId, id: MessageId, seq: Seq, at: Time }),
  GAP: v.object({ type: v.literal('GAP'), room: RoomId, from: Seq, to: Seq }),
  SYNCED: v.object({ type: v.literal('SYNCED'), room: RoomId, head: Seq }),
  JOINED: v.object({ type: v.literal('JOINED'), room: RoomId, peer: PeerId }),
  LEFT: v.object({ type: v.literal('LEFT'), room: RoomId, peer: PeerId }),
  SIGNAL: v.object({ type: v.literal('SIGNAL'), room: RoomId, from: PeerId, kind: SignalKind, body: Body }),
  PONG: v.object({ type: v.literal('PONG'), t: Time }),
  EPHEMERAL: v.object({ type: v.literal('EPHEMERAL'), room: RoomId, from: PeerId, body: EphemeralBody }),
  ERROR: v.object({
    type: v.literal('ERROR'),
    code: ErrorCodeSchema,
    message: v.pipe(v.string(), v.maxLength(500)),
    ref: v.optional(v.pipe(v.string(), v.maxLength(100))),
    room: v.optional(RoomId),
    id: v.optional(MessageId),
  }),
} satisfies { [K in RelayToClient['type']]: v.GenericSchema<unknown, Extract<RelayToClient, { type: K }>> };

export interface CodecError {
  code: Extract<ErrorCode, 'BAD_FRAME' | 'UNKNOWN_TYPE' | 'FRAME_TOO_LARGE'>;
  message: string;
  /** The frame's type, when it had a readable one, so the sender can tell which frame failed. */
  ref?: string;
}

function decodeWith<T>(
  schemas: Record<string, v.GenericSchema<unknown, unknown>>,
  raw: string,
  maxChars: number,
): Result<T, CodecError> {
  if (raw.length > maxChars) {
    return err({ code: 'FRAME_TOO_LARGE', message: `Frames are limited to ${maxChars} characters; this one has ${raw.length}.` });
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return err({ code: 'BAD_FRAME', message: 'The frame is not valid JSON.' });
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return err({ code: 'BAD_FRAME', message: 'A frame must be a JSON object.' });
  }
  const type = (data as { type?: unknown }).type;
  if (typeof type !== 'string') return err({ code: 'BAD_FRAME', message: 'A frame needs a string "type".' });
  const ref = type.slice(0, 100);
  if (!Object.hasOwn(schemas, type)) {
    // Sliced because JSON escapes can make the quoted type six times longer than ERROR allows.
    return err({ code: 'UNKNOWN_TYPE', message: `Unknown frame type ${JSON.stringify(ref)}.`.slice(0, 500), ref });
  }
  const parsed = v.safeParse(schemas[type]!, data);
  if (!parsed.success) {
    const issue = parsed.issues[0];
    const where = issue.path?.map((p) => String(p.key)).join('.') || 'frame';
    return err({ code: 'BAD_FRAME', message: `${type}: invalid ${where}: ${issue.message}`.slice(0, 500), ref });
  }
  return ok(parsed.output as T);
}

export const decodeClientFrame = (raw: string, maxChars: number): Result<ClientToRelay, CodecError> =>
  decodeWith<ClientToRelay>(clientSchemas, raw, maxChars);

export const decodeRelayFrame = (raw: string, maxChars = Number.MAX_SAFE_INTEGER): Result<RelayToClient, CodecError> =>
  decodeWith<RelayToClient>(relaySchemas, raw, maxChars);

export const encodeFrame = (frame: ClientToRelay | RelayToClient): string => JSON.stringify(frame);
