// The wire protocol between an extension's background and the relay. Frame names keep the
// WebRTC Cookbook recipe's meanings (GETROOM, WRONGROOM, CHATMSG); docs/protocol.md is the prose
// version of this file and the two must change together.

export type RoomIdText = string; // 43 base64url chars; see constants.ROOM_ID_LENGTH
export type PeerId = string; // assigned by the relay, never by a client
export type MessageIdText = string; // ULID-shaped, made by the sender
export type SignalKind = 'offer' | 'answer' | 'candidate';

// ---- client -> relay -------------------------------------------------------------------------

/** Create the room if the relay does not know it, then join it. Also used to rejoin. */
export interface GetRoomFrame { type: 'GETROOM'; room: RoomIdText; since?: number }
/** Join a room that must already exist; the relay answers WRONGROOM otherwise. */
export interface EnterRoomFrame { type: 'ENTERROOM'; room: RoomIdText; since?: number }
export interface LeaveFrame { type: 'LEAVE'; room: RoomIdText }
/** `body` is sealed on the device; the relay never opens it. */
export interface ChatSendFrame { type: 'CHATMSG'; room: RoomIdText; id: MessageIdText; body: string }
export interface SignalSendFrame { type: 'SIGNAL'; room: RoomIdText; to: PeerId; kind: SignalKind; body: string }
export interface PingFrame { type: 'PING'; t: number }
/** Sealed and short-lived (typing, presence): forwarded to live members, never stored or acked. */
export interface EphemeralSendFrame { type: 'EPHEMERAL'; room: RoomIdText; body: string }

export type ClientToRelay = GetRoomFrame | EnterRoomFrame | LeaveFrame | ChatSendFrame | SignalSendFrame | PingFrame
  | EphemeralSendFrame;
export type ClientFrameType = ClientToRelay['type'];

// ---- relay -> client -------------------------------------------------------------------------

/**
 * Room assignment: you are in, this is who else is, and this is the newest sequence number.
 * `epoch` changes only if the relay lost the room and began numbering again.
 */
export interface RoomFrame {
  type: 'ROOM'; room: RoomIdText; peer: PeerId; members: PeerId[]; head: number; epoch: number; created: boolean;
}
export interface WrongRoomFrame { type: 'WRONGROOM'; room: RoomIdText; reason: string }
/** A chat message as the relay stamped it: sender, per-room sequence number and server time. */
export interface ChatDeliverFrame {
  type: 'CHATMSG'; room: RoomIdText; id: MessageIdText; body: string; from: PeerId; seq: number; at: number;
}
export interface AckFrame { type: 'ACK'; room: RoomIdText; id: MessageIdText; seq: number; at: number }
/** Messages `from`..`to` (inclusive) existed but are no longer retained. */
export interface GapFrame { type: 'GAP'; room: RoomIdText; from: number; to: number }
/** Replay after a join is complete; live traffic follows. */
export interface SyncedFrame { type: 'SYNCED'; room: RoomIdText; head: number }
export interface PeerJoinedFrame { type: 'JOINED'; room: RoomIdText; peer: PeerId }
export interface PeerLeftFrame { type: 'LEFT'; room: RoomIdText; peer: PeerId }
export interface SignalDeliverFrame { type: 'SIGNAL'; room: RoomIdText; from: PeerId; kind: SignalKind; body: string }
export interface PongFrame { type: 'PONG'; t: number }
/** Another member's ephemeral broadcast; `from` is stamped by the relay. */
export interface EphemeralDeliverFrame { type: 'EPHEMERAL'; room: RoomIdText; from: PeerId; body: string }
/** `ref` names the offending frame's type; `room` and `id` say which room and message it was about. */
export interface ErrorFrame { type: 'ERROR'; code: ErrorCode; message: string; ref?: string; room?: RoomIdText; id?: MessageIdText }

export type RelayToClient =
  | RoomFrame | WrongRoomFrame | ChatDeliverFrame | AckFrame | GapFrame | SyncedFrame
  | PeerJoinedFrame | PeerLeftFrame | SignalDeliverFrame | PongFrame | ErrorFrame
  | EphemeralDeliverFrame;
export type RelayFrameType = RelayToClient['type'];

// ---- error codes -----------------------------------------------------------------------------

/**
 * Every error the relay can report. Frame-level errors arrive as ERROR frames and the connection
 * lives on; connection-level ones close the socket with the close code below.
 */
export const ERROR_CODES = {
  BAD_FRAME: { close: null, text: 'The frame is not valid JSON or does not match its type.' },
  UNKNOWN_TYPE: { close: null, text: 'The frame type is not one the relay knows.' },
  BINARY_FRAME: { close: null, text: 'Binary frames are not accepted; send JSON text.' },
  FRAME_TOO_LARGE: { close: null, text: 'The frame is larger than the relay accepts.' },
  NOT_IN_ROOM: { close: null, text: 'Join the room before sending to it.' },
  NO_SUCH_PEER: { close: null, text: 'The named peer is not in that room.' },
  RATE_LIMITED: { close: null, text: 'Too many frames; this one was not processed. Slow down.' },
  TOO_MANY_ROOMS: { close: null, text: 'This connection is in as many rooms as the relay allows.' },
  ROOM_FULL: { close: null, text: 'The room has as many members as the relay allows.' },
  TOO_MANY_CONNECTIONS: { close: 4029, text: 'Too many connections from this address.' },
  ORIGIN_DENIED: { close: 4003, text: 'The relay does not accept connections from this origin.' },
  IDLE_TIMEOUT: { close: 4008, text: 'Nothing was heard from this connection for too long.' },
  SLOW_CONSUMER: { close: 4009, text: 'The connection did not read its frames fast enough.' },
  SHUTTING_DOWN: { close: 4010, text: 'The relay is restarting; reconnect shortly.' },
  TOO_MANY_NEW_ROOMS: { close: null, text: 'This address created as many rooms this hour as the relay allows; the room was not created. Try later.' },
  DAILY_QUOTA: { close: null, text: 'This address stored as much today as the relay allows; the message was not stored. Try later.' },
  EPHEMERAL_RATE_LIMITED: { close: null, text: 'Too many typing or presence updates; this one was dropped.' },
  INTERNAL: { close: null, text: 'The relay failed to handle the frame; it was not processed.' },
  CONNECTING_TOO_FAST: { close: 4030, text: 'Too many new connections from this address; wait a little.' },
  RELAY_FULL: { close: 4031, text: 'The relay has as many connections as it allows; try again later.' },
  ADDRESS_BUFFERS_FULL: { close: 4032, text: 'This address has too much unread data waiting at the relay.' },
  RELAY_BUFFERS_FULL: { close: 4033, text: 'The relay is holding too much unread data; try again later.' },
  // Refused before the WebSocket exists: the socket is dropped, so only the relay's metrics see these.
  TOO_MANY_HANDSHAKES: { close: null, text: 'Too many connections still in the handshake.' },
  HANDSHAKE_TIMEOUT: { close: null, text: 'The HTTP request or upgrade did not complete in time.' },
} as const satisfies Record<string, { close: number | null; text: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
