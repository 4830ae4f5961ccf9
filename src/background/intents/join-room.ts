import { deriveRoomKeys } from '../../shared/crypto.ts';
import { formatRoomCode, parseRoomCode } from '../../shared/room-code.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { roomLimitProblem } from '../room-refusals.ts';
import { roomName } from './room-name.ts';

export async function joinRoom(bg: Background, msg: Extract<ViewToBackground, { type: 'join-room' }>, view: ViewPort): Promise<void> {
  const parsed = parseRoomCode(typeof msg.code === 'string' ? msg.code : '');
  if (!parsed.ok) {
    bg.post(view, { type: 'error', code: 'BAD_ROOM_CODE', message: parsed.error.message });
    return;
  }
  const code = parsed.value;
  const keys = await deriveRoomKeys(code);
  if (await bg.db.get('rooms', keys.roomId)) {
    bg.post(view, { type: 'room-ready', roomId: keys.roomId, code: formatRoomCode(code), created: false });
    return;
  }
  const overLimit = await roomLimitProblem(bg);
  if (overLimit) {
    bg.post(view, { type: 'error', code: 'RELAY_ERROR', message: overLimit });
    return;
  }
  bg.keys.set(keys.roomId, keys);
  // Stored only once the relay confirms the room exists, so a wrong code leaves no trace.
  bg.pendingJoins.set(keys.roomId, {
    record: { roomId: keys.roomId, code, name: roomName(msg.name, code), joinedAt: Date.now(), lastSeq: 0, unread: 0 },
    view,
  });
  // Sent now if the socket is open; otherwise the connection that refresh() opens sends it.
  bg.relay.send({ type: 'ENTERROOM', room: keys.roomId, since: 0 });
  bg.refresh();
}
