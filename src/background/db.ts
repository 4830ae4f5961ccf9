import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction } from 'idb';
import type { ChatItem, Settings } from '../shared/view-messages.ts';
import type { KeptSites } from './kept-site-list.ts';
import { DEFAULT_KEEP_PER_ROOM, DEFAULT_RELAY_URL } from '../shared/constants.ts';

// Everything the background knows lives here, so a killed service worker or a browser restart
// loses nothing: memory holds only caches that can be rebuilt from this database.

export interface RoomRecord {
  roomId: string;
  /** Canonical room code: the key material. Stays on this device. */
  code: string;
  name: string;
  joinedAt: number;
  /** Highest relay sequence number stored; sent as `since` when rejoining. */
  lastSeq: number;
  /** The relay's numbering this room's seqs belong to (ROOM.epoch); null until first joined. */
  epoch?: number | null;
  /** Added to seqs for sorting, raised when the relay started numbering again (a lost room). */
  seqBase?: number;
  unread: number;
  /** No notifications for this room. */
  muted?: boolean;
  /**
   * The relay this room lives on (a checked ws:// or wss:// URL): the one it was created or joined
   * on. Changing the default relay in Settings does not move it.
   */
  relayUrl: string;
  /** A page's public room (join-page-room), marked on this device only. */
  page?: boolean;
}

/** A chat line as stored: what a view shows, plus the room it belongs to. */
export interface MessageRecord extends ChatItem {
  roomId: string;
  /** The id of the edit that set `text` (message-events.ts rule 5); never sent to views. */
  editId?: string;
  /** Every reaction event's outcome per (key, emoji), on or off (rule 6); views get `reactions`. */
  marks?: ReactionMark[];
  /** Its private per-page thread's id (page-threads.ts), when it carries a `page`; never sent to views. */
  thread?: string;
  /**
   * Came over a data channel and not yet from the relay: the SHA-256 (base64url) of that sealed
   * body, which the relay's copy must match (direct-path.ts rule 7); never sent to views.
   */
  directDigest?: string;
  /**
   * One of our direct-only lines that went on no channel (direct-only.ts): its sealed body, kept
   * for Try again; never sent to views, never to the relay.
   */
  directBody?: string;
  /**
   * Another member's line sent only directly (direct-only.ts rule 5): its room, which keys the
   * sparse index byReceivedOnly, so such lines are counted and bounded apart from the numbered
   * ones (retention.ts). Never sent to views.
   */
  receivedOnly?: string;
  /** One of our direct-only lines: the members (peer ids) who confirmed it (direct-only.ts rule 7). */
  directGotBy?: string[];
  /**
   * One of our direct-only lines sent and not yet confirmed by anyone: its room, which keys the
   * sparse index byAwaitingGot, so a worker that stopped meanwhile finds it again at start.
   */
  awaitingGot?: string;
}

/** The newest reaction event of one key for one emoji on a message (message-events.ts). */
export interface ReactionMark {
  key: string;
  emoji: string;
  /** The reactor's name as this device shows it. */
  name: string;
  on: boolean;
  at: number;
  id: string;
}

export interface OutboxRecord {
  roomId: string;
  id: string;
  body: string;
  queuedAt: number;
  /** Times the relay refused this message for its daily quota; grows the wait before the next try. */
  refusals?: number;
  /** Not sent before this time (ms since the epoch): set by a DAILY_QUOTA refusal. */
  notBefore?: number;
  /**
   * The relay refused this message as it is (too large, unreadable): kept, shown as not sent, and
   * not sent again until the user asks (outbox.ts, refuseMessage).
   */
  refused?: RefusedWhy;
}

/** Why a relay refused one of our messages for good: a key of REFUSED_WORDS (relay-words.ts). */
export type RefusedWhy = 'FRAME_TOO_LARGE' | 'CLOSED_TOO_LARGE' | 'BAD_FRAME';

/** This installation's signing identity (one record, key 'self'). The private key cannot be exported. */
export interface IdentityRecord {
  keys: CryptoKeyPair;
  publicKey: string;
  fingerprint: string;
}

/** The first key seen for a nickname in a room (see identity-rules.ts). */
export interface SenderRecord {
  roomId: string;
  /** The nickname as compared (identity-rules.ts: nicknameKey). */
  nick: string;
  key: string;
  firstSeen: number;
}

export interface ParleyDB extends DBSchema {
  rooms: { key: string; value: RoomRecord };
  messages: { key: [string, string]; value: MessageRecord; indexes: { byOrder: [string, number, string]; byThread: [string, number, string]; byReceivedOnly: [string, number, string]; byAwaitingGot: string } };
  outbox: { key: [string, string]; value: OutboxRecord; indexes: { byRoom: string } };
  /** Key 'settings': the Settings; key 'known-relays': KnownRelays. */
  settings: { key: string; value: Settings | KnownRelays | KeptSites };
  identity: { key: string; value: IdentityRecord };
  senders: { key: [string, string]; value: SenderRecord };
}

export type Db = IDBPDatabase<ParleyDB>;

/** Relays the user has had a room on or joined through: an invite to any of them does not ask again. */
export interface KnownRelays {
  urls: string[];
}

export const PENDING_ORDER = Number.MAX_SAFE_INTEGER;
export const DEFAULT_SETTINGS: Settings = { nickname: '', relayUrl: DEFAULT_RELAY_URL, notifications: false, keepPerRoom: DEFAULT_KEEP_PER_ROOM };

export function openParleyDb(name = 'parley'): Promise<Db> {
  return openDB<ParleyDB>(name, 5, {
    // Each step only adds, so an existing install keeps its rooms, history and outbox.
    upgrade(db, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        db.createObjectStore('rooms', { keyPath: 'roomId' });
        const messages = db.createObjectStore('messages', { keyPath: ['roomId', 'id'] });
        messages.createIndex('byOrder', ['roomId', 'order', 'id']);
        const outbox = db.createObjectStore('outbox', { keyPath: ['roomId', 'id'] });
        outbox.createIndex('byRoom', 'roomId');
        db.createObjectStore('settings');
      }
      if (oldVersion < 2) {
        db.createObjectStore('identity');
        db.createObjectStore('senders', { keyPath: ['roomId', 'nick'] });
      }
      // v3: a room lives on its relay. Before, every room lived on the relay in Settings: each
      // stored room gets that address, in this same transaction, so none is ever without one.
      // A failure aborts the upgrade (the database stays at v2, nothing half-moved) and is reported.
      if (oldVersion >= 1 && oldVersion < 3) {
        relayForOldRooms(tx).catch((e: unknown) => {
          console.error('parley: moving rooms to v3 failed', e);
          tx.abort();
        });
      }
      // v4: lines of per-page threads, by thread id (only lines with a `thread` are in it).
      if (oldVersion < 4) tx.objectStore('messages').createIndex('byThread', ['thread', 'order', 'id']);
      // v5: other members' lines sent only directly, by room (only lines with `receivedOnly` are in it).
      // And our own sent and not yet confirmed (only lines with `awaitingGot`).
      if (oldVersion < 5) {
        tx.objectStore('messages').createIndex('byReceivedOnly', ['receivedOnly', 'order', 'id']);
        tx.objectStore('messages').createIndex('byAwaitingGot', 'awaitingGot');
      }
    },
  });
}

type UpgradeTx = IDBPTransaction<ParleyDB, ('rooms' | 'messages' | 'outbox' | 'settings' | 'identity' | 'senders')[], 'versionchange'>;

async function relayForOldRooms(tx: UpgradeTx): Promise<void> {
  const saved = (await tx.objectStore('settings').get('settings')) as Partial<Settings> | undefined;
  const relayUrl = saved?.relayUrl ?? DEFAULT_SETTINGS.relayUrl;
  let cursor = await tx.objectStore('rooms').openCursor();
  while (cursor) {
    if (!cursor.value.relayUrl) await cursor.update({ ...cursor.value, relayUrl });
    cursor = await cursor.continue();
  }
}

export async function loadSettings(db: Db): Promise<Settings> {
  return { ...DEFAULT_SETTINGS, ...((await db.get('settings', 'settings')) as Settings | undefined) };
}

export async function loadKnownRelays(db: Db): Promise<string[]> {
  return ((await db.get('settings', 'known-relays')) as KnownRelays | undefined)?.urls ?? [];
}

/** Remembers that the user has used the relay at `url` (a room on it, or a join through it). */
export async function rememberRelay(db: Db, url: string): Promise<void> {
  const tx = db.transaction('settings', 'readwrite');
  const urls = ((await tx.store.get('known-relays')) as KnownRelays | undefined)?.urls ?? [];
  if (!urls.includes(url)) await tx.store.put({ urls: [...urls, url] }, 'known-relays');
  await tx.done;
}

/** A room's chat in display order: relay sequence, then the sender's own pending messages. */
export function roomMessages(db: Db, roomId: string): Promise<MessageRecord[]> {
  const range = IDBKeyRange.bound([roomId, -Infinity, ''], [roomId, Infinity, '\uffff']);
  return db.getAllFromIndex('messages', 'byOrder', range);
}

/** Where a page of history ends: a line's display position (order, then id). */
export interface LinePosition {
  order: number;
  id: string;
}

/**
 * Up to `limit` of a room's lines before `before` (all if null), newest first read but returned in
 * display order, and whether any line lies before them. One cursor walk on byOrder, so opening a
 * room of any size reads one page, not its whole history. `untilId`: go back at least to that line.
 * `enough(line)`: stop once it says so (or at `limit`), e.g. once the first unread line is reached.
 */
export async function roomPage(db: Db, roomId: string, before: LinePosition | null, limit: number, enough?: (line: MessageRecord, taken: number) => boolean): Promise<{ lines: MessageRecord[]; hasOlder: boolean }> {
  const upper = before ? [roomId, before.order, before.id] : [roomId, Infinity, '\uffff'];
  const range = IDBKeyRange.bound([roomId, -Infinity, ''], upper, false, before !== null);
  const lines: MessageRecord[] = [];
  let cursor = await db.transaction('messages').store.index('byOrder').openCursor(range, 'prev');
  while (cursor) {
    lines.push(cursor.value);
    const stop = lines.length >= limit || enough?.(cursor.value, lines.length) === true;
    cursor = await cursor.continue();
    if (stop) break;
  }
  return { lines: lines.reverse(), hasOlder: cursor !== null };
}

export async function lastMessage(db: Db, roomId: string): Promise<MessageRecord | null> {
  const range = IDBKeyRange.bound([roomId, -Infinity, ''], [roomId, Infinity, '\uffff']);
  const cursor = await db.transaction('messages').store.index('byOrder').openCursor(range, 'prev');
  return cursor?.value ?? null;
}
