import type { Background } from '../context.ts';
import { releaseOutboxHold } from '../outbox.ts';
import { askAgainForRefusedRooms } from '../room-refusals.ts';

/** [Retry now], and any view opening: reconnect without waiting, ask again for refused rooms. */
export async function retryNow(bg: Background): Promise<void> {
  bg.relay.retryNow();
  await askAgainForRefusedRooms(bg);
  await releaseOutboxHold(bg);
  bg.refresh();
}
