import type { SyncedFrame } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import type { RelayLink } from '../relay-link.ts';
import { flushOutbox } from '../outbox.ts';

/** Replay is done: whatever we wrote while away can go out now, after what others wrote. */
export async function onSynced(bg: Background, link: RelayLink, frame: SyncedFrame): Promise<void> {
  const room = bg.mem.rooms.get(frame.room);
  if (room && frame.head > room.lastSeq) {
    // The relay says it has more than it replayed: never paper over that, ask again from our place.
    link.socket.send({ type: 'GETROOM', room: frame.room, since: room.lastSeq });
    return;
  }
  link.synced.add(frame.room);
  await flushOutbox(bg, link, frame.room);
}
