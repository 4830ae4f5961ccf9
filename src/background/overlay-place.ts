import type { Runtime } from 'webextension-polyfill';
import type { OverlayPlace } from '../shared/view-messages.ts';
import {
  MAX_OVERLAY_PLACES, OVERLAY_MAX_HEIGHT, OVERLAY_MAX_OFFSET, OVERLAY_MAX_WIDTH, OVERLAY_MIN_HEIGHT, OVERLAY_MIN_WIDTH,
} from '../shared/constants.ts';
import type { Background } from './context.ts';
import type { Db } from './db.ts';
import { presenceForgotten } from './state.ts';
import { watchRoom } from './intents/watch-room.ts';

// Where the overlay sits, remembered per site (docs/architecture.md, "The overlay's place"). The
// site is the origin of the page the host port was opened from, as the browser reports it: a
// content script cannot name another site's key, and a page cannot talk to this port at all.

const PREFIX = 'overlay-place:';

interface StoredPlace {
  place: OverlayPlace;
  savedAt: number;
}

const clamp = (n: number, min: number, max: number): number => Math.min(max, Math.max(min, n));

/**
 * A place as sent by a content script, checked field by field: null if anything is not what
 * OverlayPlace says (a number not finite, an unknown side). Sizes and offsets are clamped to
 * their bounds, so what is stored is always drawable.
 */
export function validPlace(raw: unknown): OverlayPlace | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const p = raw as Record<string, unknown>;
  const nums = [p.left, p.top, p.width, p.height];
  if (!nums.every((n) => typeof n === 'number' && Number.isFinite(n))) return null;
  if (p.side !== null && p.side !== 'left' && p.side !== 'right') return null;
  if (typeof p.minimised !== 'boolean') return null;
  return {
    side: p.side,
    left: Math.round(clamp(p.left as number, 0, OVERLAY_MAX_OFFSET)),
    top: Math.round(clamp(p.top as number, 0, OVERLAY_MAX_OFFSET)),
    width: Math.round(clamp(p.width as number, OVERLAY_MIN_WIDTH, OVERLAY_MAX_WIDTH)),
    height: Math.round(clamp(p.height as number, OVERLAY_MIN_HEIGHT, OVERLAY_MAX_HEIGHT)),
    minimised: p.minimised,
  };
}

/** The site a host port speaks for: its page's origin (http or https only), or null. */
export function portOrigin(port: Runtime.Port): string | null {
  try {
    const url = new URL(port.sender?.url ?? '');
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

export async function loadPlace(db: Db, origin: string): Promise<OverlayPlace | null> {
  const stored = (await db.get('settings', PREFIX + origin)) as unknown as StoredPlace | undefined;
  return stored ? validPlace(stored.place) : null;
}

/** Stores `place` for `origin`; past MAX_OVERLAY_PLACES sites, the least recently placed are forgotten. */
export async function storePlace(db: Db, origin: string, place: OverlayPlace, now = Date.now()): Promise<void> {
  const tx = db.transaction('settings', 'readwrite');
  await tx.store.put({ place, savedAt: now } satisfies StoredPlace as never, PREFIX + origin);
  const range = IDBKeyRange.bound(PREFIX, PREFIX + '\uffff');
  const keys = await tx.store.getAllKeys(range);
  if (keys.length > MAX_OVERLAY_PLACES) {
    const all = (await tx.store.getAll(range)) as unknown as StoredPlace[];
    const order = keys.map((key, i) => ({ key, at: all[i]!.savedAt })).sort((a, b) => a.at - b.at);
    for (const { key } of order.slice(0, keys.length - MAX_OVERLAY_PLACES)) await tx.store.delete(key);
  }
  await tx.done;
}

/**
 * The user placed the overlay of `tabId`. Minimised, its chat is not on screen, so its room stops
 * counting as watched (unread lines collect, shown on the bubble); restored, it is watched again.
 */
export async function savePlace(bg: Background, tabId: number, origin: string | null, raw: unknown): Promise<void> {
  const place = validPlace(raw);
  if (!place) return;
  if (origin) await storePlace(bg.db, origin, place);
  const minimised = (bg.overlayMinimised ??= new Set());
  const was = minimised.has(tabId);
  if (place.minimised === was) return;
  if (place.minimised) minimised.add(tabId);
  else minimised.delete(tabId);
  const roomId = bg.overlayRooms.get(tabId) ?? null;
  for (const view of bg.views) {
    if (view.kind !== 'overlay' || view.tabId !== tabId) continue;
    if (place.minimised) {
      view.watching = null;
      presenceForgotten(view);
    } else if (roomId) {
      await watchRoom(bg, { type: 'watch-room', roomId }, view);
    }
  }
  if (place.minimised) {
    // The bubble cleared its count when it was last restored: tell it again, even if unchanged here.
    const port = bg.overlayHosts.get(tabId);
    if (port) toldUnread.delete(port);
    pushOverlayUnread(bg);
  }
  bg.refresh();
}

const toldUnread = new WeakMap<Runtime.Port, number>();

/** Each minimised overlay's bubble: the unread count of its room, sent when it changed. */
export function pushOverlayUnread(bg: Background): void {
  for (const tabId of bg.overlayMinimised ?? []) {
    const port = bg.overlayHosts.get(tabId);
    const roomId = bg.overlayRooms.get(tabId);
    if (!port || !roomId) continue;
    const count = bg.mem.rooms.get(roomId)?.unread ?? 0;
    if (toldUnread.get(port) === count) continue;
    toldUnread.set(port, count);
    try {
      port.postMessage({ type: 'overlay-unread', count });
    } catch {
      // The page went away between the check and the post; its port's disconnect cleans up.
    }
  }
}
