import type { Background } from './context.ts';

/**
 * Sends every unacked message of a room, oldest first. Safe to call any number of times: the
 * relay acks a known id again with its original seq instead of delivering it twice.
 */
export async function flushOutbox(bg: Background, roomId: string): Promise<void> {
  if (!bg.relay.isOpen || !bg.synced.has(roomId)) return;
  const queued = await bg.db.getAllFromIndex('outbox', 'byRoom', roomId);
  queued.sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const item of queued) {
    if (!bg.relay.send({ type: 'CHATMSG', room: roomId, id: item.id, body: item.body })) return;
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
