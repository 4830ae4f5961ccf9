// Messages between the background (the one owner of state) and its views (popup, page overlay),
// carried over runtime.connect ports. One union per direction, keyed on `type`.

export type ConnectionStatus = 'offline' | 'connecting' | 'online';

/** The relay connection as the user reads it: what is wrong, and what happens next. */
export interface RelayStatus {
  url: string;
  /** This relay's socket: every room on it shares it. */
  connection: ConnectionStatus;
  /** What went wrong with the connection, in words; null while there is nothing to say. */
  problem: string | null;
  /** When the next attempt to connect starts (ms since the epoch), while waiting to retry. */
  retryAt: number | null;
}

export interface Settings {
  nickname: string;
  relayUrl: string;
}

export interface RoomSummary {
  roomId: string;
  /** Formatted for reading aloud (groups of four). */
  code: string;
  name: string;
  unread: number;
  lastText: string | null;
  lastNick: string | null;
  lastAt: number | null;
  members: number;
  /** The relay this room lives on (ws:// or wss://): every room remembers its own. */
  relayUrl: string;
  /** The link that lets a friend join: the relay's web address, the code in the fragment (shared/invite.ts). */
  invite: string;
  /** Why the relay did not let us into this room (full, too many rooms), in words; null if in. */
  problem: string | null;
}

export type ChatItemKind = 'message' | 'gap' | 'notice';
export type DeliveryStatus = 'sending' | 'sent' | 'received';

/** One line in a room's chat, as a view shows it. */
export interface ChatItem {
  id: string;
  kind: ChatItemKind;
  /** Relay sequence number; null while the relay has not acked the sender's own message. */
  seq: number | null;
  /** Display position: sequence order, pending messages last. Views sort by (order, id). */
  order: number;
  mine: boolean;
  nick: string;
  text: string;
  sentAt: number;
  status: DeliveryStatus;
  /** Who signed it (src/background/identity-rules.ts); absent on lines stored before signing. */
  sender?: SenderCheck;
  /**
   * One of ours the relay refused: for now (DAILY_QUOTA), why and when it is sent again; or as it
   * is (too large, unreadable: retryAt null), why, until the user tries again or deletes it.
   */
  notSent?: NotSent;
}

/**
 * Why one of our messages waits in the outbox, and when Parley sends it again (ms since the
 * epoch); null: not by itself, only when the user asks (Try again).
 */
export interface NotSent {
  reason: string;
  retryAt: number | null;
}

/**
 * A verified sender: its key, that key's fingerprint, the safety code of that key and ours (null
 * on our own lines), and whether its nickname was seen in this room under another key first.
 */
export type SenderCheck =
  | { verified: true; key: string; fingerprint: string; safetyCode: string | null; otherKey: boolean }
  | { verified: false };

// ---- view -> background ----------------------------------------------------------------------

export type ViewToBackground =
  | { type: 'create-room'; name: string }
  /** `code`: a bare code or an invite link (shared/invite.ts); a bare code joins on the default relay. */
  | { type: 'join-room'; code: string; name: string }
  /** Stop waiting for the join that `code` (the same text as its join-room) asked for. */
  | { type: 'cancel-join'; code: string }
  | { type: 'leave-room'; roomId: string }
  | { type: 'watch-room'; roomId: string | null }
  /** `id` is made by the view, so a message resent after the worker restarted is stored once. */
  | { type: 'send-message'; roomId: string; text: string; id: string }
  | { type: 'save-settings'; settings: Settings }
  /** `tabId`: the active tab of the popup's own window, resolved by the popup (null: none). */
  | { type: 'open-overlay'; roomId: string; tabId: number | null }
  | { type: 'close-overlay' }
  /** Reconnect now instead of waiting for the backoff, and ask again for refused rooms. */
  | { type: 'retry-now' }
  /** A message the relay refused as it is (ChatItem.notSent.retryAt null): send it again, or drop it. */
  | { type: 'resend-message'; roomId: string; id: string }
  | { type: 'delete-message'; roomId: string; id: string };

// ---- background -> view ----------------------------------------------------------------------

export type ViewErrorCode =
  | 'BAD_ROOM_CODE' | 'WRONG_ROOM' | 'BAD_SETTINGS' | 'BAD_MESSAGE' | 'NO_SUCH_ROOM'
  | 'CANNOT_INJECT' | 'RELAY_ERROR' | 'BAD_REQUEST' | 'TASK_FAILED'
  /** Join: an invite link Parley cannot use (shared/invite.ts), and a room already in the list on another relay. */
  | 'BAD_INVITE' | 'ROOM_ON_OTHER_RELAY';

export type BackgroundToView =
  /**
   * `relays`: one per relay in use (a room or a join waiting on it); `connection` sums them up
   * (online only when every one is); `knownRelays`: relays this user has joined rooms on or agreed
   * to, so an invite to any other one asks first.
   */
  | { type: 'state'; rooms: RoomSummary[]; settings: Settings; connection: ConnectionStatus; relays: RelayStatus[]; knownRelays: string[] }
  | { type: 'room-history'; roomId: string; items: ChatItem[] }
  | { type: 'room-item'; roomId: string; item: ChatItem }
  /** A line that no longer stands (a notice for a bad copy, once the genuine one arrived). */
  | { type: 'room-item-removed'; roomId: string; id: string }
  | { type: 'room-ready'; roomId: string; code: string; created: boolean }
  | { type: 'overlay-room'; roomId: string | null }
  | { type: 'error'; code: ViewErrorCode; message: string }
  /** The answer to a saved relay address: did a Parley relay answer there, and if not, why. */
  | { type: 'relay-check'; url: string; ok: boolean; message: string };

/** From the content script that holds the overlay's frame in a page: it only ever closes it. */
export type BackgroundToOverlayHost = { type: 'close-overlay' };

export const POPUP_PORT = 'parley-popup';
/** The chat inside the overlay's frame (an extension page in a tab). */
export const OVERLAY_PORT = 'parley-overlay';
/** The content script around that frame. */
export const OVERLAY_HOST_PORT = 'parley-overlay-host';
