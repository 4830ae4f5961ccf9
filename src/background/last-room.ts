import type { Background } from './context.ts';
import type { Db } from './db.ts';

// The room the popup was last showing (state.lastRoomId), kept in the settings store so the popup
// reopens there after the worker was stopped or the browser restarted. Written when it changed,
// once per state published.

const KEY = 'last-room';
let written: string | null | undefined;

export async function loadLastRoom(db: Db): Promise<string | null> {
  const saved = (await db.get('settings', KEY)) as unknown as { roomId: string | null } | undefined;
  written = saved?.roomId ?? null;
  return written;
}

export async function saveLastRoom(bg: Background): Promise<void> {
  const roomId = bg.lastRoomId !== null && bg.mem.rooms.has(bg.lastRoomId) ? bg.lastRoomId : null;
  if (roomId === written) return;
  // Noted as written only once it is: a failed write (storage full) is tried again next time.
  await bg.db.put('settings', { roomId } as never, KEY);
  written = roomId;
}
