import { deriveRoomKeys, type RoomKeys } from '../shared/crypto.ts';
import type { RoomCode } from '../shared/room-code.ts';
import type { Background } from './context.ts';

/** Keys are derived again after every service-worker start; only the code is stored. */
export async function roomKeys(bg: Background, roomId: string): Promise<RoomKeys | null> {
  const cached = bg.keys.get(roomId);
  if (cached) return cached;
  const record = bg.mem.rooms.get(roomId) ?? bg.pendingJoins.get(roomId)?.record;
  if (!record) return null;
  const keys = await deriveRoomKeys(record.code as RoomCode);
  bg.keys.set(roomId, keys);
  return keys;
}
