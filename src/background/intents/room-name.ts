import { formatRoomCode, type RoomCode } from '../../shared/room-code.ts';

/** A local label only (never sent anywhere); defaults to the code's first group. */
export function roomName(input: unknown, code: RoomCode): string {
  const name = typeof input === 'string' ? input.replace(/[\u0000-\u001f\u007f\u202a-\u202e\u2066-\u2069]/g, '').trim().slice(0, 40) : '';
  return name || `Room ${formatRoomCode(code).slice(0, 4)}`;
}
