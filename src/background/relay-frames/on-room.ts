import type { RoomFrame } from '../../shared/protocol.ts';
import { formatRoomCode, type RoomCode } from '../../shared/room-code.ts';
import type { Background } from '../context.ts';

/** The relay let us in: a pending join becomes a stored room. */
export async function onRoom(bg: Background, frame: RoomFrame): Promise<void> {
  bg.members.set(frame.room, frame.members.length + 1);
  const pending = bg.pendingJoins.get(frame.room);
  if (pending) {
    bg.pendingJoins.delete(frame.room);
    await bg.db.put('rooms', pending.record);
    bg.lastRoomId = frame.room;
    if (pending.view) {
      bg.post(pending.view, {
        type: 'room-ready', roomId: frame.room, code: formatRoomCode(pending.record.code as RoomCode), created: false,
      });
    }
  }
  bg.refresh();
}
