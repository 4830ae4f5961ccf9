import { RECEIPT_EVERY_MS } from '../shared/ephemeral.ts';
import type { Background } from './context.ts';
import { lineStored } from './memory.ts';
import { toChatItem } from './messages.ts';
import { sendEphemeral } from './presence.ts';
import type { RelayLink } from './relay-link.ts';

// Delivery receipts (docs/protocol.md, "Ephemeral broadcasts: what is sealed"). A member that
// stores messages says so with one sealed `got {seq}` per room per RECEIPT_EVERY_MS at most,
// naming the room's highest contiguously stored seq. One of our messages is DELIVERED once every
// other member that was in the room (on our connection) when the relay acked it has sent a `got`
// at or above its seq. A member who leaves before saying so keeps it at "sent": we cannot tell.
// Receipts live in memory only: after a worker restart a message waiting for them stays "sent".

interface Waiting {
  seq: number;
  peers: Set<string>;
}

/** Per link: per room, our acked messages still waiting for receipts, and each peer's highest `got`. */
interface RoomReceipts {
  waiting: Map<string, Waiting>;
  gotUpTo: Map<string, number>;
  timer?: ReturnType<typeof setTimeout>;
}

const byLink = new WeakMap<RelayLink, Map<string, RoomReceipts>>();

function receiptsOf(link: RelayLink, room: string): RoomReceipts {
  let rooms = byLink.get(link);
  if (!rooms) byLink.set(link, (rooms = new Map()));
  let r = rooms.get(room);
  if (!r) rooms.set(room, (r = { waiting: new Map(), gotUpTo: new Map() }));
  return r;
}

/** Our message `id` was acked with `seq`: wait for every other member present now. */
export async function noteAcked(bg: Background, link: RelayLink, room: string, id: string, seq: number): Promise<void> {
  const presence = link.presence.get(room);
  if (!presence || presence.peers.size === 0) return;
  const r = receiptsOf(link, room);
  const peers = new Set([...presence.peers.keys()].filter((p) => (r.gotUpTo.get(p) ?? -1) < seq));
  if (peers.size === 0) await markDelivered(bg, room, id);
  else r.waiting.set(id, { seq, peers });
}

/** A member said it stored everything up to `seq`. */
export async function noteGot(bg: Background, link: RelayLink, room: string, peer: string, seq: number): Promise<void> {
  const r = receiptsOf(link, room);
  r.gotUpTo.set(peer, Math.max(seq, r.gotUpTo.get(peer) ?? -1));
  for (const [id, w] of [...r.waiting]) {
    if (w.seq > seq) continue;
    w.peers.delete(peer);
    if (w.peers.size === 0) {
      r.waiting.delete(id);
      await markDelivered(bg, room, id);
    }
  }
}

async function markDelivered(bg: Background, room: string, id: string): Promise<void> {
  const line = await bg.db.get('messages', [room, id]);
  if (!line || !line.mine || line.status !== 'sent') return;
  const updated = { ...line, status: 'delivered' as const };
  await bg.db.put('messages', updated);
  lineStored(bg, updated, bg.mem.lastLines.get(room)?.id === id);
  bg.postToWatchers(room, { type: 'room-item', roomId: room, item: toChatItem(updated) });
}

/** We stored messages of `room`: one `got` goes out within RECEIPT_EVERY_MS, for all of them. */
export function scheduleReceipt(bg: Background, link: RelayLink, room: string): void {
  const r = receiptsOf(link, room);
  if (r.timer !== undefined) return;
  r.timer = setTimeout(() => {
    r.timer = undefined;
    bg.run(async (b) => {
      const record = b.mem.rooms.get(room);
      const presence = link.presence.get(room);
      if (!record || !presence || presence.peers.size === 0 || b.links.get(link.url) !== link) return;
      await sendEphemeral(b, link, room, { v: 1, k: 'got', at: Date.now(), seq: record.lastSeq });
    });
  }, RECEIPT_EVERY_MS);
}

/** A new connection: nothing said on the last one holds (peer ids change). */
export function resetReceipts(link: RelayLink): void {
  for (const r of byLink.get(link)?.values() ?? []) clearTimeout(r.timer);
  byLink.delete(link);
}
