import type { ErrorFrame } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import { flushOutbox } from '../outbox.ts';

const RETRY_AFTER_RATE_LIMIT_MS = 1_000;

export async function onError(bg: Background, frame: ErrorFrame): Promise<void> {
  console.warn('relay error', frame.code, frame.message);
  const room = frame.room;
  if (frame.code === 'RATE_LIMITED' && room) {
    // The message stays in the outbox; try again once the bucket has refilled.
    setTimeout(() => void flushOutbox(bg, room), RETRY_AFTER_RATE_LIMIT_MS);
    return;
  }
  if (frame.code === 'NOT_IN_ROOM' && room && (await bg.db.get('rooms', room))) {
    bg.synced.delete(room);
    const record = await bg.db.get('rooms', room);
    bg.relay.send({ type: 'GETROOM', room, since: record?.lastSeq ?? 0 });
    return;
  }
  const pending = room ? bg.pendingJoins.get(room) : undefined;
  if (pending && room) {
    bg.pendingJoins.delete(room);
    if (pending.view) bg.post(pending.view, { type: 'error', code: 'RELAY_ERROR', message: frame.message });
  }
}
