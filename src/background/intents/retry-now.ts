import type { Background } from '../context.ts';
import { releaseOutboxHold } from '../outbox.ts';
import { askAgainForRefusedRooms } from '../room-refusals.ts';

/** [Retry now], and any view opening: reconnect every relay without waiting, ask again for refused rooms. */
export async function retryNow(bg: Background): Promise<void> {
  for (const link of bg.links.all()) {
    link.socket.retryNow();
    await askAgainForRefusedRooms(bg, link);
    await releaseOutboxHold(bg, link);
  }
  bg.refresh();
}
