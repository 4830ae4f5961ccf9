import type { RoomIdText } from '../src/shared/protocol.ts';
import type { RelayContext } from './context.ts';
import { toChatFrame } from './history-store.ts';
import type { Membership, Peer } from './peer.ts';

const PAGE_SIZE = 64;

/**
 * Sends the retained messages with seq > since, then SYNCED, and only then lets live messages
 * through (membership.live). Messages that arrive meanwhile are read back from the store, so the
 * client sees one gap-free, in-order stream without a per-member queue. Replay waits for the socket
 * to drain, so a thousand full-size messages never sit in memory at once.
 */
export async function replay(ctx: RelayContext, peer: Peer, room: RoomIdText, since: number, membership: Membership): Promise<void> {
  const lowWater = (ctx.config.maxBufferedKb * 1024) / 2;
  const current = () => peer.open && peer.rooms.get(room) === membership;
  let last = since;
  for (;;) {
    if (!current()) return;
    // Going live is safe only straight after a read with no wait in between: while this replay
    // waited for the socket, others' messages were stored but not pushed to this member.
    let waited = false;
    const page = ctx.history.readAfter(room, last, PAGE_SIZE);
    const first = page[0]?.seq ?? ctx.history.head(room) + 1;
    if (first > last + 1) peer.send({ type: 'GAP', room, from: last + 1, to: first - 1 });
    for (const message of page) {
      const written = new Promise<boolean>((resolve) => {
        if (!peer.send(toChatFrame(message), (error) => resolve(!error))) resolve(false);
      });
      last = message.seq;
      if (peer.socket.bufferedAmount <= lowWater) continue;
      waited = true;
      if (!(await drained(peer, written, ctx.config.idleTimeoutMs)) || !current()) return;
    }
    if (page.length < PAGE_SIZE && !waited) {
      membership.live = true;
      peer.send({ type: 'SYNCED', room, head: ctx.history.head(room) });
      return;
    }
  }
}

/** Waits for `written` (the last frame reached the socket); cuts the peer if that takes too long. */
async function drained(peer: Peer, written: Promise<boolean>, timeoutMs: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const ok = await Promise.race([written, timedOut]);
  clearTimeout(timer);
  if (!ok) peer.close('SLOW_CONSUMER');
  return ok;
}
