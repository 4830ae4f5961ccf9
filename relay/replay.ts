import type { RoomIdText } from '../src/shared/protocol.ts';
import type { RelayContext } from './context.ts';
import { toChatFrame } from './history-store.ts';
import type { Membership, Peer } from './peer.ts';

const PAGE_SIZE = 64;
/** Replays fill at most this share of each buffer bound; the rest is for live traffic. */
const REPLAY_SHARE = 0.5;

/**
 * Sends the retained messages with seq > since, then SYNCED, and only then lets live messages
 * through (membership.live). Messages that arrive meanwhile are read back from the store, so the
 * client sees one gap-free, in-order stream without a per-member queue.
 *
 * Each page is only as long as half of the socket's buffer bounds have room for (the peer's own,
 * its address's and the relay's, shared with every other replay and live fan-out) and is
 * sent at once, so no message sits in relay memory outside those bounds. When there is no room
 * the replay waits for the socket to write; a reader that stops reading is cut by the stall sweep
 * (STALL_TIMEOUT_MS), which ends the wait.
 */
export async function replay(ctx: RelayContext, peer: Peer, room: RoomIdText, since: number, membership: Membership): Promise<void> {
  const frameBytes = ctx.config.maxFrameKb * 1024;
  const current = () => peer.open && peer.rooms.get(room) === membership;
  let last = since;
  for (;;) {
    if (!current()) return;
    let fits = Math.min(PAGE_SIZE, Math.floor(peer.sendRoom(REPLAY_SHARE) / frameBytes));
    // With MAX_BUFFERED_KB under two frames the share never holds one; an empty socket still may.
    if (fits < 1 && peer.queuedBytes === 0 && peer.sendRoom() >= frameBytes) fits = 1;
    if (fits < 1) {
      await peer.whenFreed(REPLAY_SHARE);
      continue;
    }
    // Going live is safe only straight after a read, with no wait between it and the sends
    // (relay/broker.ts says why the continuation of this await is still current).
    const { messages, head } = await ctx.broker.readPage(room, last, fits);
    if (!current()) return;
    const first = messages[0]?.seq ?? head + 1;
    if (first > last + 1) peer.send({ type: 'GAP', room, from: last + 1, to: first - 1 });
    for (const message of messages) {
      if (!peer.send(toChatFrame(message))) return;
      last = message.seq;
    }
    if (messages.length < fits) {
      // Everything up to this read's head was replayed, trimmed or before `since`; a `since` past
      // the head (a room the relay lost) must not hold back the new numbering's live messages.
      membership.delivered = head;
      membership.live = true;
      peer.send({ type: 'SYNCED', room, head });
      return;
    }
  }
}
