import type { Background, PendingJoin } from './context.ts';
import type { RelayLink } from './relay-link.ts';
import { closeIfUnused } from './relay-links.ts';

// A join waits for its relay's answer, but not forever (docs/protocol.md, "Invites", "A join
// ends"): a relay that never answers would otherwise leave "Joining…" up for good and its link
// retrying for nobody.

/** How long a join may wait for its relay's answer, from when it was asked. */
export const JOIN_TIMEOUT_MS = 30_000;
/** Sockets to its relay that may fail to open while a join waits: a refused port fails in milliseconds. */
export const JOIN_MAX_FAILED_OPENS = 3;

/** Ends the join `pending` for `roomId` after JOIN_TIMEOUT_MS, if it is still the one waiting then. */
export function boundJoin(bg: Background, roomId: string, pending: PendingJoin): void {
  setTimeout(() => bg.run((b) => (b.pendingJoins.get(roomId) === pending ? endWaitingJoin(b, roomId) : Promise.resolve())), JOIN_TIMEOUT_MS);
}

/** A socket of `link` closed before it opened: the joins waiting on it ran out of tries after the last one. */
export async function noteFailedOpen(bg: Background, link: RelayLink): Promise<void> {
  for (const [roomId, pending] of [...bg.pendingJoins]) {
    if (pending.record.relayUrl !== link.url) continue;
    pending.failedOpens += 1;
    if (pending.failedOpens >= JOIN_MAX_FAILED_OPENS) await endWaitingJoin(bg, roomId);
  }
}

/** Ends a waiting join unanswered: told in words to the view that asked, dropped, its link closed if unused. */
export async function endWaitingJoin(bg: Background, roomId: string): Promise<void> {
  const pending = bg.pendingJoins.get(roomId);
  if (!pending) return;
  const url = pending.record.relayUrl;
  const why = bg.links.get(url)?.socket.isOpen
    ? `${url} did not answer within ${JOIN_TIMEOUT_MS / 1000} s`
    : `Can't reach ${url}`;
  await dropWaitingJoin(bg, roomId);
  if (pending.view) {
    bg.post(pending.view, { type: 'error', code: 'RELAY_ERROR', message: `${why}: the room was not joined. Check the invite, or try again later.` });
  }
}

/** Forgets a waiting join (nothing of it was stored) and closes its relay's link if nothing else uses it. */
export async function dropWaitingJoin(bg: Background, roomId: string): Promise<void> {
  const pending = bg.pendingJoins.get(roomId);
  if (!pending) return;
  bg.pendingJoins.delete(roomId);
  bg.keys.delete(roomId);
  await closeIfUnused(bg, pending.record.relayUrl);
  bg.refresh();
}
