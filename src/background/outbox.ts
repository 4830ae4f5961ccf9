import { OUTBOX_WINDOW } from '../shared/constants.ts';
import type { Background } from './context.ts';

/**
 * Sends a room's unacked messages, oldest first, keeping at most OUTBOX_WINDOW on the wire; each
 * ACK makes room for the next. Safe to call any number of times: the relay acks a known id again
 * with its original seq instead of delivering it twice.
 */
export async function flushOutbox(bg: Background, roomId: string): Promise<void> {
  if (!bg.relay.isOpen || !bg.synced.has(roomId)) return;
  const queued = await bg.db.getAllFromIndex('outbox', 'byRoom', roomId);
  queued.sort((a, b) => (a.id < b.id ? -1 : 1));
  let onWire = bg.inFlight.get(roomId);
  if (!onWire) bg.inFlight.set(roomId, (onWire = new Set()));
  for (const item of queued) {
    if (onWire.has(item.id)) continue;
    if (onWire.size >= OUTBOX_WINDOW) return;
    if (!bg.relay.send({ type: 'CHATMSG', room: roomId, id: item.id, body: item.body })) return;
    onWire.add(item.id);
  }
}

const RETRY_MS = 1_000;
let retryTimer: ReturnType<typeof setTimeout> | undefined;

/** One pending retry of every room's outbox, however many refusals asked for it. */
export function scheduleOutboxRetry(bg: Background): void {
  if (retryTimer !== undefined) return;
  retryTimer = setTimeout(() => {
    retryTimer = undefined;
    bg.retryOutboxes();
  }, RETRY_MS);
}
