import type { SyncedFrame } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import type { RelayLink } from '../relay-link.ts';
import { askAgain } from '../join.ts';
import { flushOutbox } from '../outbox.ts';
import { announce } from '../presence.ts';
import { scheduleReceipt } from '../receipts.ts';

/** Replay is done: whatever we wrote while away can go out now, after what others wrote. */
export async function onSynced(bg: Background, link: RelayLink, frame: SyncedFrame): Promise<void> {
  const room = bg.mem.rooms.get(frame.room);
  // The relay says it has more than we stored: never paper over that, ask again from our place,
  // unless asking again from there made no progress (a write that keeps failing).
  if (room && frame.head > room.lastSeq && askAgain(bg, link, frame.room)) return;
  const fresh = !link.synced.has(frame.room);
  link.synced.add(frame.room);
  if (fresh) {
    // Presence rule 3: who we are, once per connection; and a receipt for what the replay stored.
    await announce(bg, link, frame.room, true);
    scheduleReceipt(bg, link, frame.room);
  }
  await flushOutbox(bg, link, frame.room);
}
