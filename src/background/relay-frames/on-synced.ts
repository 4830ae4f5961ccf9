import type { SyncedFrame } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import { flushOutbox } from '../outbox.ts';

/** Replay is done: whatever we wrote while away can go out now, after what others wrote. */
export async function onSynced(bg: Background, frame: SyncedFrame): Promise<void> {
  bg.synced.add(frame.room);
  await flushOutbox(bg, frame.room);
}
