import { senderLabel } from '../shared/identity-rules.ts';
import type { Background } from './context.ts';
import type { MessageRecord } from './db.ts';
import { lineWords } from './line-words.ts';
import { canNotify, showNotification } from '../shared/browser-target.ts';

// Desktop notifications (Settings.notifications). How they work in Chromium for an extension
// without the "notifications" manifest permission (none is asked for at install): the popup asks
// for the web Notification permission when the user turns the setting on
// (Notification.requestPermission() from the extension's own origin), and this worker shows them
// with its registration's showNotification. The rules:
// - only for a live message from someone else (never a replay: a backlog does not flood the
//   desktop), in a room that is not muted and that no view has on screen;
// - at most one per room per NOTIFY_EVERY_MS: the first shows at once, later ones within that time
//   are summed up in one notification that replaces it ("3 new messages") when the time is up;
// - clicking one makes the popup open on that room (state.lastRoomId) and opens it if Chromium
//   lets the worker (action.openPopup), else nothing more happens than the focus Chromium gives.

export const NOTIFY_EVERY_MS = 5_000;

// Firefox's event page has no registration: browser-target.ts shows them there with the
// Notification constructor and reports the click through `clicked`.
interface WorkerScope {
  /** The extension API (not through the polyfill, which has no openPopup typing and would load on import). */
  chrome?: { action?: { openPopup?: () => Promise<void> } };
  addEventListener?(type: 'notificationclick', listener: (e: { notification: { tag: string; close(): void } }) => void): void;
}
const scope = globalThis as unknown as WorkerScope;

interface Window { until: number; count: number; timer?: ReturnType<typeof setTimeout> }
const windows = new Map<string, Window>();

function onScreen(bg: Background, roomId: string): boolean {
  for (const view of bg.views) if (view.watching === roomId) return true;
  return false;
}

/** The user opened `roomId`: what was summed up is seen, and the next message notifies at once. */
export function roomSeen(roomId: string): void {
  const open = windows.get(roomId);
  clearTimeout(open?.timer);
  windows.delete(roomId);
}

/** A live message from someone else was stored in `line.roomId`. */
export async function notifyLive(bg: Background, line: MessageRecord): Promise<void> {
  const room = bg.mem.rooms.get(line.roomId);
  if (!room || room.muted || !bg.mem.settings.notifications || line.mine || line.kind !== 'message') return;
  if (onScreen(bg, line.roomId) || !canNotify()) return;
  const now = Date.now();
  const open = windows.get(line.roomId);
  if (open && open.until > now) {
    open.count++;
    open.timer ??= setTimeout(() => bg.run((b) => summarise(b, line.roomId)), open.until - now);
    return;
  }
  windows.set(line.roomId, { until: now + NOTIFY_EVERY_MS, count: 0 });
  const who = senderLabel(line);
  await show(room.name, `${who.name}: ${lineWords(line).slice(0, 120)}`, line.roomId);
}

async function summarise(bg: Background, roomId: string): Promise<void> {
  const open = windows.get(roomId);
  windows.delete(roomId);
  const room = bg.mem.rooms.get(roomId);
  if (!open || open.count === 0 || !room || room.muted || !bg.mem.settings.notifications || onScreen(bg, roomId)) return;
  await show(room.name, open.count === 1 ? '1 more new message' : `${open.count} more new messages`, roomId);
}

/** Set by listenForClicks: what a click on a notification does (Firefox's path). */
let clicked: (tag: string) => void = () => {};

async function show(title: string, body: string, roomId: string): Promise<void> {
  try {
    // One per room (tag): a newer one replaces the last, so the desktop never piles up.
    await showNotification(title, body, `parley-room:${roomId}`, { roomId }, (tag) => clicked(tag));
  } catch (e) {
    console.warn('parley: notification not shown', e);
  }
}

/** Clicking a notification: the popup opens on its room. */
export function listenForClicks(bg: Background): void {
  scope.addEventListener?.('notificationclick', (event) => {
    event.notification.close();
    clicked(event.notification.tag);
  });
  clicked = (tag) => {
    const roomId = tag.replace(/^parley-room:/, '');
    bg.run(async (b) => {
      if (!b.mem.rooms.has(roomId)) return;
      b.lastRoomId = roomId;
      b.refresh();
      try {
        await scope.chrome?.action?.openPopup?.();
      } catch {
        // No focused window, or not allowed here: the popup still opens on this room next time.
      }
    });
  };
}
