import { deriveRoomKeys } from '../../shared/crypto.ts';
import { formatRoomCode, newRoomCode } from '../../shared/room-code.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { putRoom, rememberRelay } from '../memory.ts';
import { roomLimitProblem } from '../room-refusals.ts';
import { roomName } from './room-name.ts';

/**
 * The code is made here, on the device; the relay only ever learns the id derived from it. A new
 * room lives on the default relay (Settings) from now on, whatever the default becomes later.
 */
export async function createRoom(bg: Background, msg: Extract<ViewToBackground, { type: 'create-room' }>, view: ViewPort): Promise<void> {
  const { relayUrl } = bg.mem.settings;
  const code = newRoomCode();
  const overLimit = await roomLimitProblem(bg, relayUrl);
  if (overLimit) {
    bg.post(view, { type: 'error', code: 'RELAY_ERROR', message: overLimit });
    return;
  }
  const keys = await deriveRoomKeys(code);
  bg.keys.set(keys.roomId, keys);
  await putRoom(bg, {
    roomId: keys.roomId, code, name: roomName(msg.name, code), joinedAt: Date.now(), lastSeq: 0, unread: 0, relayUrl,
  });
  await rememberRelay(bg, relayUrl);
  bg.lastRoomId = keys.roomId;
  // Sent now if that relay's socket is open; otherwise the connection it opens sends it (join.ts).
  bg.links.open(relayUrl).socket.send({ type: 'GETROOM', room: keys.roomId, since: 0 });
  bg.post(view, { type: 'room-ready', roomId: keys.roomId, code: formatRoomCode(code), created: true });
  bg.refresh();
}
