import browser from 'webextension-polyfill';
import type { Runtime } from 'webextension-polyfill';
import overlayScript from '../content/overlay-main.ts?iife';
// Until the host script answers get-selection itself (h11-frame): injected first, see the file.
import selectionScript from '../content/selection-answer.ts?iife';
import type { Background } from './context.ts';

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
    await browser.scripting.executeScript({ target: { tabId }, files: [selectionScript, overlayScript] });
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

async function mostRecentRoom(bg: Background): Promise<string | null> {
  const rooms = [...bg.mem.rooms.values()];
  rooms.sort((a, b) => b.joinedAt - a.joinedAt);
  return rooms[0]?.roomId ?? null;
}

export function acceptOverlayHost(bg: Background, port: Runtime.Port): void {
  const tabId = port.sender?.tab?.id;
  if (tabId === undefined) return port.disconnect();
  bg.overlayHosts.set(tabId, port);
  bg.refresh(); // state.overlayTabs: a popup over this tab may now quote it
  port.onDisconnect.addListener(() => {
    if (bg.overlayHosts.get(tabId) === port) bg.overlayHosts.delete(tabId);
    bg.refresh();
  });
}

export function closeOverlay(bg: Background, tabId: number): void {
  bg.overlayHosts.get(tabId)?.postMessage({ type: 'close-overlay' });
  bg.overlayRooms.delete(tabId);
}
