import type { RoomFrame } from '../../shared/protocol.ts';
import { formatRoomCode, type RoomCode } from '../../shared/room-code.ts';
import type { Background } from '../context.ts';
import type { RelayLink } from '../relay-link.ts';
import { putChatLine } from '../messages.ts';
import { PENDING_ORDER } from '../db.ts';
import { putRoom } from '../memory.ts';
import { presenceOnRoom } from '../presence.ts';
import { directOnMembers } from '../direct-path.ts';

/** The relay let us in: a pending join becomes a stored room. */
export async function onRoom(bg: Background, link: RelayLink, frame: RoomFrame): Promise<void> {
  link.members.set(frame.room, frame.members.length + 1);
  link.heads.set(frame.room, frame.head);
  presenceOnRoom(link, frame);
  directOnMembers(bg, link, frame.room);
  link.roomProblems.delete(frame.room);
  const pending = bg.pendingJoins.get(frame.room);
  if (pending) {
    bg.pendingJoins.delete(frame.room);
    await putRoom(bg, { ...pending.record, epoch: frame.epoch });
    bg.lastRoomId = frame.room;
    if (pending.view) {
      bg.post(pending.view, {
        type: 'room-ready', roomId: frame.room, code: formatRoomCode(pending.record.code as RoomCode), created: false,
      });
    }
  }
  else await checkEpoch(bg, link, frame);
  bg.refresh();
}

/**
 * A relay that lost the room (its database was wiped, or it ran in memory and restarted) numbers
 * from 1 again. Our history stays, sorted before a line that says so, and the room is fetched
 * again from the start of the new numbering.
 */
async function checkEpoch(bg: Background, link: RelayLink, frame: RoomFrame): Promise<void> {
  const room = bg.mem.rooms.get(frame.room);
  if (!room || room.epoch === frame.epoch) return;
  if (room.epoch === null || room.epoch === undefined) {
    await putRoom(bg, { ...room, epoch: frame.epoch });
    return;
  }
  // After every line of the old numbering, also those stored above a hole below lastSeq.
  const seqBase = Math.max((room.seqBase ?? 0) + room.lastSeq + 1, Math.floor(await highestNumbered(bg, room.roomId)) + 1);
  await putRoom(bg, { ...room, epoch: frame.epoch, seqBase, lastSeq: 0 });
  bg.mem.ahead.delete(room.roomId); // seqs of the old numbering
  await putChatLine(bg, {
    roomId: room.roomId, id: `epoch-${frame.epoch}`, kind: 'notice', seq: null, order: -0.5, mine: false, nick: '',
    text: 'The relay lost this room\'s history. Earlier messages are kept only on this device.', sentAt: Date.now(), status: 'received',
  }, null);
  link.synced.delete(room.roomId);
  link.inFlight.delete(room.roomId);
  link.socket.send({ type: 'GETROOM', room: room.roomId, since: 0 });
}

/** The highest order of a room's lines that are not pending (-Infinity: none). */
async function highestNumbered(bg: Background, roomId: string): Promise<number> {
  const range = IDBKeyRange.bound([roomId, -Infinity, ''], [roomId, PENDING_ORDER, ''], false, true);
  const cursor = await bg.db.transaction('messages').store.index('byOrder').openCursor(range, 'prev');
  return cursor?.value.order ?? -Infinity;
}
