import type { WrongRoomFrame } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import type { RelayLink } from '../relay-link.ts';
import { closeIfUnused } from '../relay-links.ts';

export async function onWrongRoom(bg: Background, link: RelayLink, frame: WrongRoomFrame): Promise<void> {
  const pending = bg.pendingJoins.get(frame.room);
  bg.pendingJoins.delete(frame.room);
  bg.keys.delete(frame.room);
  if (pending?.view) {
    bg.post(pending.view, {
      type: 'error',
      code: 'WRONG_ROOM',
      message: `No room with that code is open on ${link.url}. Check the code, or ask for a new one.`,
    });
  }
  await closeIfUnused(bg, link.url);
}
