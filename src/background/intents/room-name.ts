import { UNSAFE_NAME_CHARS } from '../../shared/constants.ts';
import { formatRoomCode, type RoomCode } from '../../shared/room-code.ts';

/** A local label only (never sent anywhere); defaults to the code's first group. */
export function roomName(input: unknown, code: RoomCode): string {
  const name = typeof input === 'string' ? input.replace(new RegExp(UNSAFE_NAME_CHARS.source, 'g'), '').trim().slice(0, 40) : '';
  return name || `Room ${formatRoomCode(code).slice(0, 4)}`;
}
