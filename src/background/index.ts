import browser from 'webextension-polyfill';
import type { BackgroundToView } from '../shared/view-messages.ts';
import { OVERLAY_HOST_PORT, OVERLAY_PORT, POPUP_PORT } from '../shared/view-messages.ts';
import { OFFSCREEN_PORT } from '../shared/offscreen-messages.ts';
import { acceptOffscreen, hasOpenChannel } from './direct-path.ts';
import { unconfirmedAtStart } from './direct-only.ts';
import type { Background, ViewPort } from './context.ts';
import { openParleyDb } from './db.ts';
import { handleIntent } from './intents/index.ts';
import { rejoinAll } from './join.ts';
import { noteFailedOpen } from './join-bounds.ts';
import { acceptOverlayHost, injectOverlay } from './overlay-injection.ts';
import { flushAllOutboxes, refuseMessage, retryAfterRefusal } from './outbox.ts';
import { handleRelayFrame } from './relay-frames/index.ts';
import { onChatMessages } from './relay-frames/on-chat-message.ts';
import type { ChatDeliverFrame } from '../shared/protocol.ts';
import type { RelayLink } from './relay-link.ts';
import { RelayLinks } from './relay-links.ts';
import { RelaySocket } from './relay-socket.ts';
import { noteUnopened } from './relay-status.ts';
import { publishState } from './state.ts';
import { pushOverlayUnread } from './overlay-place.ts';
import { retryNow } from './intents/retry-now.ts';
import { serialQueue } from './task-queue.ts';
import { isTrustedSender } from './trusted-sender.ts';
import { loadMemory } from './memory.ts';
import { takeRefused } from './unanswered.ts';
import { loadLastRoom } from './last-room.ts';
import { listenForClicks } from './notifications.ts';
import { repeatPresence } from './presence.ts';
import { isLineChange, ViewBatch } from './view-batch.ts';
import { noteStorageError } from './storage-full.ts';
import { permissionsAdded, permissionsRemoved, reconcileKeptSites, roomForKeptTab } from './kept-sites.ts';
import { loadKeptSites } from './kept-site-list.ts';
import { OverlayRooms } from './overlay-rooms.ts';
import { STAY_AWAKE_EVERY_MS, stayAwake } from '../shared/browser-target.ts';

// Entry: wiring only. Listeners are registered synchronously at the top level so that an event
// that wakes a killed service worker is not missed; the database opens in the background.

// One queue for everything that touches state (see task-queue.ts). A task that throws is told to
// the user in every open view, not only written to the console.
const run = serialQueue(openParleyDb().then(async (db) => {
  bg.db = db;
  bg.mem = await loadMemory(db);
  bg.lastRoomId = await loadLastRoom(db);
  bg.mem.keptSites = await loadKeptSites(db);
  await overlayRooms.load(db); // each tab's overlay keeps its room across a stopped worker
  await unconfirmedAtStart(bg); // direct-only lines whose channels stopped with the last worker
}), (e: unknown) => {
  if (noteStorageError(bg, e)) return void console.warn('parley: storage is full', e);
  console.error('parley background task failed', e);
  const message = `Something went wrong in Parley: ${e instanceof Error ? e.message : String(e)}. Nothing you wrote is lost; try again.`;
  for (const view of bg.views) bg.post(view, { type: 'error', code: 'TASK_FAILED', message });
}, async () => {
  // Line changes held during a burst go out first, one room-items per room.
  viewBatch.flush();
  // One state per drain of the queue, however many events asked for it.
  if (!stateStale) return;
  stateStale = false;
  await publishState(bg);
  pushOverlayUnread(bg);
});
function serial(task: (bg: Background) => Promise<void>): void {
  run(() => task(bg));
}

let stateStale = false;
/** The most CHATMSG frames of one room handled (and stored) as one task. */
const CHAT_BATCH_MAX = 500;
// Watchers' line changes, held while more tasks wait (a replay), sent when the queue drains.
const viewBatch = new ViewBatch((roomId, message) => {
  for (const view of bg.views) if (view.watching === roomId) bg.post(view, message);
});

// One socket per relay in use. Its events go through the one serial queue with the link they
// belong to; a link that was closed meanwhile (its last room left) gets nothing more.
function makeSocket(url: string, current: () => RelayLink | undefined): RelaySocket {
  const withLink = (task: (b: Background, link: RelayLink) => Promise<void>) => serial(async (b) => {
    const link = current();
    if (link) await task(b, link);
  });
  // CHATMSG frames of one room that arrive while the queue is busy join one task (a replay's
  // frames, stored in one transaction: onChatMessages); any other frame closes the batch, so
  // frames still apply in the order they came.
  let batch: ChatDeliverFrame[] | null = null;
  return new RelaySocket({
    onOpen: () => withLink(rejoinAll),
    onFrame: (frame) => {
      if (frame.type !== 'CHATMSG') {
        batch = null;
        return withLink((b, link) => handleRelayFrame(b, link, frame));
      }
      if (batch && batch[0]!.room === frame.room && batch.length < CHAT_BATCH_MAX) return void batch.push(frame);
      const frames = (batch = [frame]);
      withLink(async (b, link) => {
        if (batch === frames) batch = null; // frames from now on go to the next task
        await onChatMessages(b, link, frames);
        // A replay shows as it goes: one room-items per batch, not one at the very end.
        if (frames.length > 1) viewBatch.flush(frame.room);
      });
    },
    onStatus: () => bg.refresh(),
    onBadFrame: (message) => console.warn(`parley: ignored a frame from ${url}:`, message),
    onUnopened: (at) => void noteUnopened(at).then((changed) => changed && bg.refresh()),
    // Closed over a frame beyond the relay's hard cap (1009): that message would close every
    // connection it is sent on. Before the next socket opens (the queue is in order), it is set aside.
    onClosed: (close) => {
      // Joins waiting on a relay nothing answers at end in words after a few tries (join-bounds.ts).
      if (!close.opened) withLink(noteFailedOpen);
      if (close.code !== 1009 || !close.opened) return;
      withLink(async (b, link) => {
        const refused = takeRefused(link, true);
        if (refused) await refuseMessage(b, link, refused.roomId, refused.id, 'CLOSED_TOO_LARGE');
      });
    },
  });
}

/** Tab -> the room its overlay shows, also in the settings store (overlay-rooms.ts). */
const overlayRooms = new OverlayRooms();

const bg: Background = {
  db: undefined as never,
  mem: undefined as never,
  links: new RelayLinks(makeSocket),
  keys: new Map(),
  views: new Set(),
  pendingJoins: new Map(),
  overlayRooms,
  overlayHosts: new Map(),
  lastRoomId: null,
  run: serial,
  refresh() {
    // Published when the queue drains (serialQueue's onDrain); an empty task makes sure it does,
    // for a refresh asked from outside the queue (a socket's status).
    if (stateStale) return;
    stateStale = true;
    serial(async () => {});
  },
  retryOutboxes(link) {
    serial((b) => (b.links.get(link.url) === link ? retryAfterRefusal(b, link) : Promise.resolve()));
  },
  post(view: ViewPort, message: BackgroundToView) {
    try {
      view.port.postMessage(message);
    } catch {
      bg.views.delete(view); // The view closed between our check and the post.
    }
  },
  postToWatchers(roomId: string, message: BackgroundToView) {
    if (isLineChange(message)) {
      viewBatch.hold(message);
      // A lone task (a live message) is shown at once, before its write (showThenStore).
      if (run.backlog() <= 1) viewBatch.flush(roomId);
      return;
    }
    viewBatch.flush(roomId); // what came before it, first
    for (const view of bg.views) if (view.watching === roomId) bg.post(view, message);
  },
};

listenForClicks(bg);
repeatPresence(bg);

bg.refresh(); // Reconnects and rejoins after a killed worker or a browser restart.

browser.runtime.onConnect.addListener((port) => {
  if (!isTrustedSender(port.sender, port.name)) return port.disconnect();
  // On a kept site, a tab with no room chosen opens on the site's room (before the overlay asks).
  if (port.name === OVERLAY_HOST_PORT) serial((b) => roomForKeptTab(b, port.sender));
  if (port.name === OVERLAY_HOST_PORT) return acceptOverlayHost(bg, port);
  if (port.name === OFFSCREEN_PORT) return acceptOffscreen(bg, port);
  const tabId = port.name === OVERLAY_PORT ? (port.sender?.tab?.id ?? null) : null;
  // The overlay's page is web-accessible, so a page could frame it itself: serve it only in tabs
  // where our content script holds a host port, which it opens before it places the frame and
  // which ends when the page navigates away.
  if (tabId !== null && !bg.overlayHosts.has(tabId)) return port.disconnect();
  const view: ViewPort = { port, kind: port.name === POPUP_PORT ? 'popup' : 'overlay', watching: null, tabId };
  bg.views.add(view);
  port.onMessage.addListener((msg: unknown) => serial((b) => handleIntent(b, msg, view)));
  port.onDisconnect.addListener(() => bg.views.delete(view));
  if (tabId !== null) {
    serial(async (b) => b.post(view, { type: 'overlay-room', roomId: b.overlayRooms.get(tabId) ?? b.lastRoomId }));
  }
  // Someone is looking: a connection waiting out its backoff (a relay restart) is tried now.
  serial(retryNow);
});

browser.commands.onCommand.addListener((command, tab) => {
  if (command !== 'open-overlay' || tab?.id === undefined) return;
  const tabId = tab.id;
  serial(async (b) => {
    await injectOverlay(b, tabId, null);
  });
});

// In the queue: a tab closed while the worker starts is dropped after the stored map is loaded.
browser.tabs.onRemoved.addListener((tabId) => serial(async (b) => void b.overlayRooms.delete(tabId)));
// A browser start: the stored tab ids were an earlier session's (overlay-rooms.ts).
browser.runtime.onStartup.addListener(() => serial(async () => overlayRooms.browserStarted()));

// Kept sites (kept-sites.ts): a grant taken back in the browser's own UI unregisters its script;
// every worker start puts grants, scripts and the kept list back in agreement.
browser.permissions.onRemoved.addListener((removed) => serial((b) => permissionsRemoved(b, removed.origins ?? [])));
// The user answered the browser's question a keep-site asked (its popup may be gone by then).
browser.permissions.onAdded.addListener((added) => serial((b) => permissionsAdded(b, added.origins ?? [])));
serial(reconcileKeptSites);

// Chrome stops a worker whose socket went quiet; this alarm wakes it to reconnect, so unread
// counts and the outbox do not wait for the user to open the popup.
// It also ends a DAILY_QUOTA hold that has run out (outbox.ts), in a worker that lives or one it woke.
browser.alarms.onAlarm.addListener(() => {
  bg.refresh();
  serial(flushAllOutboxes);
});
void browser.alarms.create('parley-wake', { periodInMinutes: 1 });
// Firefox stops an idle event page even while its socket is busy; Chrome does not stop a worker
// whose socket carries traffic. While a relay socket is open, stay awake (browser-target.ts); one
// that is down or retrying does not keep the page up (the minute's alarm wakes it, as in Chrome).
setInterval(() => {
  // A data channel too: with the relay down it is all that carries the chat (direct-path.ts).
  if (bg.links.all().some((link) => link.socket.status === 'online') || hasOpenChannel(bg)) stayAwake();
}, STAY_AWAKE_EVERY_MS);

void browser.action.setBadgeBackgroundColor({ color: '#0f766e' });
