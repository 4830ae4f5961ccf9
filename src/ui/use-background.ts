import { useEffect, useLayoutEffect, useMemo, useReducer } from 'preact/hooks';
import { BackgroundLink } from './background-link.ts';
import { applyLines, historyLines, prependLines, type PageCursor } from './lines.ts';
import type { KeptSiteSummary } from '../shared/view-messages.ts';
import type { BackgroundToView, ChatItem, ConnectionStatus, Member, RelayStatus, RoomSummary, Settings, ViewToBackground } from '../shared/view-messages.ts';

export interface ViewState {
  rooms: RoomSummary[];
  settings: Settings | null;
  connection: ConnectionStatus;
  /** One per relay in use (see the 'state' message). */
  relays: RelayStatus[];
  knownRelays: string[];
  /** The answer to the last relay address saved from this view. */
  relayCheck: { url: string; ok: boolean; message: string } | null;
  roomId: string | null;
  items: ChatItem[];
  /** Display order of every item by id: finds a line in `items` by binary search (lines.ts). */
  orders: Map<string, number>;
  /** More of the room lies before `items` (load-older asks for it). */
  hasOlder: boolean;
  /** Where load-older pages from: set only by room-history and room-older (lines.ts). */
  cursor: PageCursor | null;
  /** The line the "new messages" divider goes above; null: none. */
  firstUnread: string | null;
  /** IndexedDB refuses writes for lack of space, in words; null otherwise. */
  storageProblem: string | null;
  /** Sites Parley is kept on (the 'state' message); absent until the first state. */
  keptSites?: KeptSiteSummary[];
  /** Why the browser refused a direct connection, in words; absent: it has not. */
  directProblem?: string;
  directUnavailable?: string;
  ready: { roomId: string; code: string; created: boolean } | null;
  overlayRoom: string | null;
  error: { code: string; message: string } | null;
  /** The answer to this view's last search-room, for the watched room. */
  search: { roomId: string; query: string; items: ChatItem[]; more: boolean } | null;
  /** Who is in the watched room (null: unknown, offline) and who is typing there. */
  presence: { members: Member[] | null; typing: string[] };
  /** The room the popup was last showing (state.lastRoomId). */
  lastRoomId: string | null;
  /** The answer to this view's last page-activity: rooms with lines in their thread for that page. */
  pageActivity?: { url: string; rooms: { roomId: string; count: number }[] } | null;
  /** The answer to this view's last load-thread. */
  thread?: { roomId: string; url: string; items: ChatItem[] } | null;
  /** Tabs with the overlay open (state.overlayTabs): "Quote selection" in the popup over one. */
  overlayTabs: number[];
  /** The last quote-preview for the watched room: the passage "Send quote" would send. */
  quotePreview?: QuotePreviewMessage | null;
}

export type QuotePreviewMessage = Extract<BackgroundToView, { type: 'quote-preview' }>;

const initial: ViewState = {
  rooms: [], settings: null, connection: 'offline', relays: [], knownRelays: [], relayCheck: null, roomId: null, items: [], orders: new Map(), hasOlder: false, cursor: null, firstUnread: null, storageProblem: null, ready: null, overlayRoom: null, error: null,
  search: null, presence: { members: null, typing: [] }, lastRoomId: null, overlayTabs: [],
};

type LocalAction = { type: 'dismiss-error' } | { type: 'watch'; roomId: string | null } | { type: 'creating' } | { type: 'checking' };

function reduce(state: ViewState, msg: BackgroundToView | LocalAction): ViewState {
  switch (msg.type) {
    case 'watch':
      return { ...state, roomId: msg.roomId, items: [], orders: new Map(), hasOlder: false, cursor: null, firstUnread: null, search: null, presence: { members: null, typing: [] } };
    case 'state':
      return { ...state, rooms: msg.rooms, settings: msg.settings, connection: msg.connection, relays: msg.relays, knownRelays: msg.knownRelays, lastRoomId: msg.lastRoomId, storageProblem: msg.storageProblem ?? null, overlayTabs: msg.overlayTabs ?? [], keptSites: msg.keptSites ?? [], directProblem: msg.directProblem, directUnavailable: msg.directUnavailable };
    case 'room-history':
      return msg.roomId === state.roomId
        ? { ...state, ...historyLines(msg.items), hasOlder: msg.hasOlder, firstUnread: msg.firstUnread }
        : state;
    case 'room-item':
      return msg.roomId === state.roomId ? { ...state, ...applyLines(state, [msg.item], []) } : state;
    case 'room-item-removed':
      return msg.roomId === state.roomId ? { ...state, ...applyLines(state, [], [msg.id]) } : state;
    case 'room-ready':
      return { ...state, ready: msg, error: null };
    case 'overlay-room':
      return { ...state, overlayRoom: msg.roomId };
    case 'error':
      return { ...state, error: { code: msg.code, message: msg.message } };
    case 'creating':
      // The last room's code must not stand in for the new one while it is being made.
      return { ...state, ready: null, error: null };
    case 'relay-check':
      return { ...state, relayCheck: { url: msg.url, ok: msg.ok, message: msg.message } };
    case 'checking':
      return { ...state, relayCheck: null, error: null };
    case 'dismiss-error':
      return { ...state, error: null };
    case 'room-items':
      return msg.roomId === state.roomId ? { ...state, ...applyLines(state, msg.items, []) } : state;
    case 'room-older':
      return msg.roomId === state.roomId ? { ...state, ...prependLines(state, msg.items), hasOlder: msg.hasOlder } : state;
    case 'room-presence':
      return msg.roomId === state.roomId ? { ...state, presence: { members: msg.members, typing: msg.typing } } : state;
    case 'search-results':
      return msg.roomId === state.roomId ? { ...state, search: { roomId: msg.roomId, query: msg.query, items: msg.items, more: msg.more } } : state;
    case 'page-activity':
      return { ...state, pageActivity: { url: msg.url, rooms: msg.rooms } };
    case 'thread-items':
      return msg.roomId === state.roomId ? { ...state, thread: { roomId: msg.roomId, url: msg.url, items: msg.items } } : state;
    case 'quote-preview':
      return msg.roomId === state.roomId ? { ...state, quotePreview: msg } : state;
  }
}

/** A view's whole connection to the background: state in, intents out. */
export function useBackground(portName: string, roomId: string | null) {
  const [state, dispatch] = useReducer(reduce, initial);
  const link = useMemo(() => new BackgroundLink(portName, dispatch), [portName]);
  // Unmounting the view (closing the overlay) ends its port, and with it the background's interest.
  useEffect(() => () => link.close(), [link]);
  // A layout effect, run as the room's view is put in the DOM rather than after a paint: a popup
  // closed the moment a room showed must still have said so (it reopens there).
  useLayoutEffect(() => {
    dispatch({ type: 'watch', roomId });
    link.send({ type: 'watch-room', roomId });
  }, [link, roomId]);
  const send = (msg: ViewToBackground) => {
    if (msg.type === 'create-room') dispatch({ type: 'creating' });
    if (msg.type === 'save-settings') dispatch({ type: 'checking' });
    link.send(msg);
  };
  return { state, send, dismissError: () => dispatch({ type: 'dismiss-error' }) };
}
