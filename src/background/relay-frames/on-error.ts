import type { ErrorFrame } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import { scheduleOutboxRetry } from '../outbox.ts';

export async function onError(bg: Background, frame: ErrorFrame): Promise<void> {
  console.warn('relay error', frame.code, frame.message);
  const room = frame.room;
  if (frame.code === 'INTERNAL' && (frame.ref === 'GETROOM' || frame.ref === 'ENTERROOM') && room) {
    // The relay failed this join (its store hiccuped): ask again shortly, or the room never syncs.
    const record = await bg.db.get('rooms', room);
    if (record) setTimeout(() => bg.relay.send({ type: 'GETROOM', room, since: record.lastSeq }), 1_000);
    return;
  }
  if (frame.code === 'RATE_LIMITED' || frame.code === 'INTERNAL') {
    // Whatever was refused stays in the outbox; send it again once the relay's bucket refilled.
    scheduleOutboxRetry(bg);
    return;
  }
  if (frame.code === 'NOT_IN_ROOM' && room && (await bg.db.get('rooms', room))) {
    bg.synced.delete(room);
    bg.inFlight.delete(room); // refused while we were not in the room: send again after SYNCED
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
