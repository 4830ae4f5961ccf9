import type { WalLimits } from './wal-checkpointer.ts';
import type { ChatDeliverFrame, MessageIdText, PeerId, RoomIdText } from '../src/shared/protocol.ts';

export interface StoredMessage {
  readonly room: RoomIdText;
  readonly seq: number;
  readonly id: MessageIdText;
  readonly from: PeerId;
  readonly body: string;
  readonly at: number;
}

export interface NewMessage {
  readonly id: MessageIdText;
  readonly from: PeerId;
  readonly body: string;
}

/** One append of a batch; `admit` as for HistoryStore.append. */
export interface PendingAppend {
  readonly room: RoomIdText;
  readonly message: NewMessage;
  readonly admit: (bytes: number) => boolean;
}

/** `duplicate`: the (room, id) was already stored; `message` is then the original, seq and all. */
export interface AppendResult {
  readonly message: StoredMessage;
  readonly duplicate: boolean;
}

export interface RetentionLimits {
  readonly maxCount: number;
  readonly maxAgeMs: number;
  /** Stored bytes (see storedSize) retained per room; the room's oldest messages go first. */
  readonly roomMaxBytes: number;
  /** Stored bytes retained in all; the oldest messages of any room go first. */
  readonly storeMaxBytes: number;
  /** Rooms kept; beyond it the least recently active room without members is forgotten (no limit if absent). */
  readonly maxStoredRooms?: number;
  /** How a file store keeps its write-ahead log short (relay/wal-checkpointer.ts); SQLite's default if absent. */
  readonly wal?: WalLimits;
}

/** What one message costs the store beyond its body: id, sender, seq, time and index entries. */
export const MESSAGE_OVERHEAD_BYTES = 64;

/** The size every storage quota counts (docs/protocol.md, "Storage quotas"); bodies are ASCII. */
export const storedSize = (body: string): number => body.length + MESSAGE_OVERHEAD_BYTES;

export interface StoreStats {
  readonly rooms: number;
  readonly messages: number;
  /** Sum of storedSize over the retained messages. */
  readonly bytes: number;
}

/**
 * Rooms, their sequence heads and their retained messages: the durable half of the in-process
 * broker (relay/local-broker.ts), which alone decides when a batch is appended and committed.
 * Synchronous, as better-sqlite3 is; handlers never see it (relay/broker.ts).
 */
export interface HistoryStore {
  /**
   * Creates the room if missing (returns true then) and marks it active either way. A creation
   * beyond MAX_STORED_ROOMS forgets the least recently active room for which `isLive` is false.
   */
  openRoom(room: RoomIdText, now: number, isLive?: (room: RoomIdText) => boolean): boolean;
  hasRoom(room: RoomIdText): boolean;
  /** The latest seq ever assigned in the room (0 if none); never goes down, even when trimmed. */
  head(room: RoomIdText): number;
  /**
   * When this room's numbering began (its creation time). A room forgotten and created again gets
   * a new epoch, which tells clients that their old sequence numbers mean nothing here any more.
   */
  epoch(room: RoomIdText): number;
  /**
   * Assigns the next seq unless (room, id) exists; applies retention to the room and the store.
   * `admit` is asked (with the message's stored size) only for a message that would be stored; when
   * it says no, nothing changes and append returns undefined. A duplicate is never refused.
   */
  append(room: RoomIdText, message: NewMessage, now: number, admit?: (bytes: number) => boolean): AppendResult | undefined;
  /**
   * Appends each item as append() does, in order, in one transaction: all are stored or, on a
   * failure, none (it throws). Rooms for which `isLive` is true are never forgotten to make room.
   */
  appendBatch(items: readonly PendingAppend[], now: number, isLive?: (room: RoomIdText) => boolean): (AppendResult | undefined)[];
  /** Retained messages with seq > afterSeq, oldest first. */
  readAfter(room: RoomIdText, afterSeq: number, limit: number): StoredMessage[];
  /** Drops expired messages, and forgets rooms that are empty, idle past the age limit and not live. */
  prune(now: number, isLive: (room: RoomIdText) => boolean): { messages: number; rooms: number };
  /** From running totals kept with the data: O(1), whatever the store holds. */
  stats(): StoreStats;
  close(): void;
}

export const toChatFrame = (message: StoredMessage): ChatDeliverFrame => ({
  type: 'CHATMSG',
  room: message.room,
  id: message.id,
  body: message.body,
  from: message.from,
  seq: message.seq,
  at: message.at,
});
