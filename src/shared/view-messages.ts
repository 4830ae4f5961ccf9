import type { IceServer } from './offscreen-messages.ts';
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
  /** Desktop notifications for messages in rooms not on screen; off until the user turns them on. */
  notifications: boolean;
  /** Local retention: the newest this many lines per room are kept on this device (docs/protocol.md). */
  keepPerRoom: number;
  /** "Direct connections": WebRTC data channels to members online (direct-path.ts); off unless set. */
  directConnections?: boolean;
  /** STUN/TURN servers for direct connections; none by default (loopback and a LAN need none). */
  iceServers?: IceServer[];
  /**
   * "Don't store my messages on the relay": our messages go only over open data channels
   * (src/background/direct-only.ts); only with directConnections on, absent unless set.
   */
  directOnly?: true;
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
  /** Members the relay says are in the room now, us included; null while that is unknown (offline). */
  members: number | null;
  /** No notifications for this room (its unread count still grows). */
  muted: boolean;
  /** The relay this room lives on (ws:// or wss://): every room remembers its own. */
  relayUrl: string;
  /** The link that lets a friend join: the relay's web address, the code in the fragment (shared/invite.ts). */
  invite: string;
  /** Why the relay did not let us into this room (full, too many rooms), in words; null if in. */
  problem: string | null;
  /** A page's public room ("Chat about this page"): anyone who can guess the page's address can join. */
  pageRoom?: boolean;
}

export type ChatItemKind = 'message' | 'gap' | 'notice';
/**
 * sending: not acked by the relay; sent: stored by the relay; delivered: every other member present
 * when it was sent said it arrived (a sealed receipt); received: someone else's.
 */
export type DeliveryStatus = 'sending' | 'sent' | 'delivered' | 'received';

/** The line a message answers, as it stood when the answer was stored (null text: not on this device). */
export interface ReplyRef {
  id: string;
  nick: string;
  text: string | null;
}

/** One emoji under a message: who put it there (display names), and whether we did. */
export interface Reaction {
  emoji: string;
  by: string[];
  mine: boolean;
}

/** A member the relay says is in the room now, and who they say they are (their sealed presence). */
export interface Member {
  peer: string;
  /** Their nickname from their sealed presence; null until it arrives. */
  nick: string | null;
  /** Their verified key's fingerprint; null if unsigned or not yet heard from. */
  fingerprint: string | null;
  me: boolean;
  /** The safety code of their verified key and ours (identity-rules.ts); null if not verified, or us. */
  safetyCode?: string | null;
  /** Their verified nickname was first seen in this room under another key (identity-rules.ts rule 3). */
  otherKey?: boolean;
  /** How their messages reach us: over a data channel or through the relay; absent while direct connections are off. */
  path?: 'direct' | 'relayed';
}

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
  /** The message this one answers. */
  replyTo?: ReplyRef;
  /** When its sender last edited it (their clock); absent: never edited. */
  editedAt?: number;
  /** Its sender deleted it: text is '' and the line shows that it was deleted. */
  deleted?: boolean;
  reactions?: Reaction[];
  /** The page whose private thread this line is in (issue 11: per-page threads). */
  page?: PageRef;
  /** A passage quoted from a page; clicking it opens the page at the passage. */
  quote?: PageQuote;
  /**
   * A copy of this message came over a data channel with another text than the relay's: the
   * relay's copy is shown (it is what every other member has), and the line says so.
   */
  directDiffered?: boolean;
  /**
   * Sent only over data channels ("Don't store my messages on the relay", direct-only.ts): the
   * relay never had it, so it has no seq and takes no reactions, edits or deletes.
   */
  directOnly?: true;
  /** On such a line of ours: how many members' open channels it went on. */
  directTo?: number;
  /** And how many of them confirmed they got it. */
  directGot?: number;
}

/** A site Parley is kept on, as the 'state' message lists it. */
export interface KeptSiteSummary {
  origin: string;
  roomId: string;
  roomName: string | null;
}

/** A page as a line names it: its normalised address and its title when sent. */
export interface PageRef {
  url: string;
  title: string;
}

/** A passage of a page, with the words around it that find this occurrence (a text fragment). */
export interface PageQuote {
  text: string;
  url: string;
  prefix: string;
  suffix: string;
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
  | { type: 'send-message'; roomId: string; text: string; id: string; replyTo?: string; page?: PageRef }
  /** Sealed events on one of our own messages (edit, delete) or anyone's (reaction): every member applies them. */
  | { type: 'edit-message'; roomId: string; id: string; text: string }
  | { type: 'retract-message'; roomId: string; id: string }
  | { type: 'react'; roomId: string; id: string; emoji: string; on: boolean }
  /** The view's composer: typing or not (sent on as a sealed EPHEMERAL, throttled by the background). */
  | { type: 'typing'; roomId: string; typing: boolean }
  | { type: 'rename-room'; roomId: string; name: string }
  | { type: 'mute-room'; roomId: string; muted: boolean }
  /** The page of lines before `before` (display order); with `untilId`, everything back to that line. */
  | { type: 'load-older'; roomId: string; before: { order: number; id: string }; untilId?: string }
  | { type: 'search-room'; roomId: string; query: string }
  | { type: 'save-settings'; settings: Settings }
  /** `tabId`: the active tab of the popup's own window, resolved by the popup (null: none). */
  | { type: 'open-overlay'; roomId: string; tabId: number | null }
  | { type: 'close-overlay' }
  /** Reconnect now instead of waiting for the backoff, and ask again for refused rooms. */
  | { type: 'retry-now' }
  /** A message the relay refused as it is (ChatItem.notSent.retryAt null): send it again, or drop it. */
  | { type: 'resend-message'; roomId: string; id: string }
  | { type: 'delete-message'; roomId: string; id: string }
  /** "Chat about this page": the public room of the page at `url` (the tab's address, normalised by the background). */
  | { type: 'join-page-room'; url: string; title: string }
  /** How many lines each room's private thread for the page at `url` holds on this device. */
  | { type: 'page-activity'; url: string }
  /** The lines of `roomId`'s private thread for the page at `url`, in display order. */
  | { type: 'load-thread'; roomId: string; url: string }
  /**
   * Quote the page's selection into the room, with `text` as the comment (may be ''): from an
   * overlay, its own tab; from the popup, `tabId` (its page tab), which must have an overlay open.
   */
  | { type: 'quote-page'; roomId: string; tabId: number | null; text: string; id: string }
  /** Open the page of line `id`'s quote at its passage (a new tab, text fragment). */
  | { type: 'open-quote'; roomId: string; id: string }
  /**
   * Keep Parley on a site: the popup got the browser's grant for `origin` (the site of tab `tabId`,
   * shared/kept-origin.ts) from the user's click; the overlay then opens on `roomId` on every load there.
   */
  | { type: 'keep-site'; origin: string; roomId: string; tabId: number | null }
  /**
   * Stop keeping Parley on `origin`: its script and its grant go. `declined`: the browser said no to
   * the keep-site just asked, so only that keep's wait for a grant is dropped (nothing else changes).
   */
  | { type: 'forget-site'; origin: string; declined?: boolean }
  /** The overlay's room switcher: this tab's overlay shows `roomId` from now on. */
  | { type: 'switch-overlay-room'; roomId: string }
  /** "Send quote": send the passage of quote-preview `id` (what the view showed), as line `id`. */
  | { type: 'send-quote'; roomId: string; id: string };

// ---- background -> view ----------------------------------------------------------------------

export type ViewErrorCode =
  | 'BAD_ROOM_CODE' | 'WRONG_ROOM' | 'BAD_SETTINGS' | 'BAD_MESSAGE' | 'NO_SUCH_ROOM'
  | 'CANNOT_INJECT' | 'RELAY_ERROR' | 'BAD_REQUEST' | 'TASK_FAILED'
  /** Join: an invite link Parley cannot use (shared/invite.ts), and a room already in the list on another relay. */
  | 'BAD_INVITE' | 'ROOM_ON_OTHER_RELAY'
  /** IndexedDB refused a write because the device's storage for Parley is full. */
  | 'STORAGE_FULL'
  /** Our reaction was not added: the line holds MAX_REACTIONS_PER_MESSAGE already. */
  | 'REACTIONS_FULL'
  /** "Chat about this page" over a tab that is not a web page (or whose address is too long). */
  | 'NOT_A_PAGE'
  /** Quote the page: nothing is selected; the page cannot be quoted or did not answer. */
  | 'NO_SELECTION' | 'NO_PAGE'
  /** Keep Parley on a site: not kept (no grant, not the page's site, too many sites), in words. */
  | 'CANNOT_KEEP'
  /** Our edit, reaction or removal was refused by the relay as it is (too large, unreadable): dropped, in words. */
  | 'EVENT_NOT_SENT'
  /** "Don't store my messages on the relay": no member is connected directly; or a change to a line only sent directly. */
  | 'NO_DIRECT_MEMBER' | 'DIRECT_ONLY_LINE';

export type BackgroundToView =
  /**
   * `relays`: one per relay in use (a room or a join waiting on it); `connection` sums them up
   * (online only when every one is); `knownRelays`: relays this user has joined rooms on or agreed
   * to, so an invite to any other one asks first.
   */
  | {
    type: 'state'; rooms: RoomSummary[]; settings: Settings; connection: ConnectionStatus; relays: RelayStatus[]; knownRelays: string[];
    /** The room the popup was last showing, so it reopens there; null: the room list. */
    lastRoomId: string | null;
    /** Set while IndexedDB refuses writes for lack of space, in words; null otherwise. */
    storageProblem: string | null;
    /** Tabs where the overlay is open now: the popup over one of them offers "Quote selection". */
    overlayTabs?: number[]
    /** Sites Parley is kept on (Settings lists them), each with its room; roomName null: that room was left. */
    keptSites?: KeptSiteSummary[];
    /** Why the browser last refused to make a direct connection, in words; absent: it has not. */
    directProblem?: string;
    /** Set when this browser cannot make direct connections at all, in words (Settings disables the box); absent: it can. */
    directUnavailable?: string;
  }
  /**
   * The newest page of a watched room's lines, in display order. `hasOlder`: more before it
   * (load-older). `firstUnread`: the line the "new messages" divider goes above, if any.
   */
  | { type: 'room-history'; roomId: string; items: ChatItem[]; hasOlder: boolean; firstUnread: string | null }
  /** The answer to load-older: lines just before the oldest the view has, in display order. */
  | { type: 'room-older'; roomId: string; items: ChatItem[]; hasOlder: boolean }
  | { type: 'room-item'; roomId: string; item: ChatItem }
  /** Several new or changed lines at once (a replay, a burst): applied like one room-item each. */
  | { type: 'room-items'; roomId: string; items: ChatItem[] }
  /** Who is in a watched room now (null: unknown, we are offline) and who is typing (display names). */
  | { type: 'room-presence'; roomId: string; members: Member[] | null; typing: string[] }
  | { type: 'search-results'; roomId: string; query: string; items: ChatItem[]; more: boolean }
  /** A line that no longer stands (a notice for a bad copy, once the genuine one arrived). */
  | { type: 'room-item-removed'; roomId: string; id: string }
  | { type: 'room-ready'; roomId: string; code: string; created: boolean }
  | { type: 'overlay-room'; roomId: string | null }
  | { type: 'error'; code: ViewErrorCode; message: string }
  /** The answer to a saved relay address: did a Parley relay answer there, and if not, why. */
  | { type: 'relay-check'; url: string; ok: boolean; message: string }
  /** The answer to page-activity: `url` normalised, and the rooms whose thread for it has lines here. */
  | { type: 'page-activity'; url: string; rooms: { roomId: string; count: number }[] }
  /** The answer to load-thread (`url` normalised): the thread's newest lines, in display order. */
  | { type: 'thread-items'; roomId: string; url: string; items: ChatItem[] }
  /**
   * The answer to quote-page: the cleaned passage, shown to the member before anything is sent
   * ("Send quote" sends send-quote with this `id`; "Cancel" sends nothing). `text`: the comment.
   */
  | { type: 'quote-preview'; roomId: string; id: string; text: string; quote: PageQuote };

/**
 * Where the overlay sits on a site's pages, as its content script places it (remembered per site
 * by the background). `side`: docked to a side (full height) or floating at left/top. Sizes in CSS px.
 */
export interface OverlayPlace {
  side: 'left' | 'right' | null;
  left: number;
  top: number;
  width: number;
  height: number;
  minimised: boolean;
}

/** To the content script that holds the overlay's frame in a page. */
export type BackgroundToOverlayHost =
  | { type: 'close-overlay' }
  /** Sent once its port opens: where the overlay sat last on this site (null: never placed). */
  | { type: 'overlay-place'; place: OverlayPlace | null }
  /** Unread lines in the overlay's room, for the minimised bubble. */
  | { type: 'overlay-unread'; count: number }
  /** The page's selected text, for "Quote the page" (answered with `selection`). */
  | { type: 'get-selection'; requestId: number };

/** From that content script. */
export type OverlayHostToBackground =
  /** The user moved, resized, docked, minimised or restored the overlay. */
  | { type: 'save-place'; place: OverlayPlace }
  /**
   * The answer to get-selection: the selected text (empty: nothing selected), the page's address,
   * and a few words before and after it, so a text fragment finds this occurrence.
   */
  | { type: 'selection'; requestId: number; text: string; url: string; prefix: string; suffix: string };

export const POPUP_PORT = 'parley-popup';
/** The chat inside the overlay's frame (an extension page in a tab). */
export const OVERLAY_PORT = 'parley-overlay';
/** The content script around that frame. */
export const OVERLAY_HOST_PORT = 'parley-overlay-host';
