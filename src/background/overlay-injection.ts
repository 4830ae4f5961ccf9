import browser from 'webextension-polyfill';
import type { Runtime } from 'webextension-polyfill';
import overlayScript from '../content/overlay-main.ts?iife';
import type { Background } from './context.ts';
import type { BackgroundToOverlayHost } from '../shared/view-messages.ts';
import { loadPlace, portOrigin, savePlace } from './overlay-place.ts';

/**
 * Injects the overlay into one tab on demand. activeTab (granted by the toolbar click or the
 * keyboard shortcut) is the only access to the page: Parley never reads sites it was not asked to.
 * Returns a message for the user when the page cannot be used.
 */
export async function injectOverlay(bg: Background, tabId: number, roomId: string | null): Promise<string | null> {
  const room = roomId ?? bg.lastRoomId ?? (await mostRecentRoom(bg));
  if (!room) return 'Create or join a room first.';
  bg.overlayRooms.set(tabId, room);
  try {
    await browser.scripting.executeScript({ target: { tabId }, files: [overlayScript] });
  } catch {
    bg.overlayRooms.delete(tabId);
    return 'Parley cannot open on this page (browser pages and the web store are off limits).';
  }
  // An overlay that was already open learns the new room through its port.
  for (const view of bg.views) {
    if (view.kind === 'overlay' && view.tabId === tabId) bg.post(view, { type: 'overlay-room', roomId: room });
  }
  return null;
}

export async function mostRecentRoom(bg: Background): Promise<string | null> {
  const rooms = [...bg.mem.rooms.values()];
  rooms.sort((a, b) => b.joinedAt - a.joinedAt);
  return rooms[0]?.roomId ?? null;
}

export function acceptOverlayHost(bg: Background, port: Runtime.Port): void {
  const tabId = port.sender?.tab?.id;
  if (tabId === undefined) return port.disconnect();
  bg.overlayHosts.set(tabId, port);
  bg.refresh(); // state.overlayTabs: a popup over this tab may now quote it
  // The site is the browser's word for where the script runs, never the script's own claim.
  const origin = portOrigin(port);
  port.onMessage.addListener((msg: unknown) => {
    const type = typeof msg === 'object' && msg !== null ? (msg as { type?: unknown }).type : undefined;
    if (type === 'save-place') bg.run((b) => savePlace(b, tabId, origin, (msg as { place?: unknown }).place));
  });
  port.onDisconnect.addListener(() => {
    if (bg.overlayHosts.get(tabId) !== port) return;
    bg.overlayHosts.delete(tabId);
    bg.overlayMinimised?.delete(tabId);
    bg.refresh(); // state.overlayTabs
  });
  bg.run(async (b) => {
    const place = origin ? await loadPlace(b.db, origin) : null;
    postToHost(port, { type: 'overlay-place', place });
  });
}

function postToHost(port: Runtime.Port, message: BackgroundToOverlayHost): void {
  try {
    port.postMessage(message);
  } catch {
    // The page went away meanwhile; its disconnect cleans up.
  }
}

export function closeOverlay(bg: Background, tabId: number): void {
  bg.overlayHosts.get(tabId)?.postMessage({ type: 'close-overlay' });
  bg.overlayRooms.delete(tabId);
  bg.overlayMinimised?.delete(tabId);
}
