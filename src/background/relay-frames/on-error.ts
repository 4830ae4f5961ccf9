import type { ErrorFrame } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import type { RelayLink } from '../relay-link.ts';
import { closeIfUnused } from '../relay-links.ts';
import { holdOutbox, refuseMessage, scheduleOutboxRetry } from '../outbox.ts';
import { noteAnswered, takeRefused } from '../unanswered.ts';
import { roomRefused } from '../room-refusals.ts';
import { wordsContext } from '../relay-status.ts';
import { RELAY_ERROR_WORDS } from '../relay-words.ts';

export async function onError(bg: Background, link: RelayLink, frame: ErrorFrame): Promise<void> {
  console.warn('relay error', frame.code, frame.message);
  const room = frame.room;
  // Typing, presence and receipts are lossy by design: a refused one is followed by the next,
  // and a typist must never be shown a relay error for typing.
  if (frame.code === 'EPHEMERAL_RATE_LIMITED') return;
  if (frame.code === 'INTERNAL' && (frame.ref === 'GETROOM' || frame.ref === 'ENTERROOM') && room) {
    // The relay failed this join (its store hiccuped): ask again shortly, or the room never syncs.
    const record = bg.mem.rooms.get(room);
    if (record) setTimeout(() => link.socket.send({ type: 'GETROOM', room, since: record.lastSeq }), 1_000);
    const pending = bg.pendingJoins.get(room);
    // A join still waiting would otherwise wait for an answer that never comes. Asked on this
    // link only while it is still that relay's link and the join still this one (not answered,
    // ended or cancelled meanwhile): a new link sends its waiting joins itself (join.ts).
    if (!record && pending) {
      setTimeout(() => {
        if (bg.links.get(link.url) === link && bg.pendingJoins.get(room) === pending) link.socket.send({ type: 'ENTERROOM', room, since: 0 });
      }, 1_000);
    }
    return;
  }
  if (frame.code === 'FRAME_TOO_LARGE' || (frame.code === 'BAD_FRAME' && frame.ref === 'CHATMSG')) {
    // The relay will never take that message as it is, and cannot say which one it was (it did
    // not read it): found by order (unanswered.ts), shown as not sent, out of the way of the rest.
    const refused = takeRefused(link, frame.code === 'FRAME_TOO_LARGE');
    if (refused) await refuseMessage(bg, link, refused.roomId, refused.id, frame.code);
    return;
  }
  if (frame.code === 'RATE_LIMITED' || frame.code === 'INTERNAL') {
    // Whatever was refused stays in the outbox; send it again once the relay's bucket refilled.
    scheduleOutboxRetry(bg, link);
    return;
  }
  if (frame.code === 'DAILY_QUOTA') {
    // The relay stores no more from our address today: the message waits, and so does the rest
    // of what waits for this relay (other relays keep their own quotas).
    if (room && frame.id) {
      noteAnswered(link, room, frame.id);
      await holdOutbox(bg, link, room, frame.id);
    }
    return;
  }
  if (frame.code === 'NOT_IN_ROOM' && room && bg.mem.rooms.has(room)) {
    link.synced.delete(room);
    link.inFlight.delete(room); // refused while we were not in the room: send again after SYNCED
    const record = bg.mem.rooms.get(room);
    link.socket.send({ type: 'GETROOM', room, since: record?.lastSeq ?? 0 });
    return;
  }
  const pending = room ? bg.pendingJoins.get(room) : undefined;
  if (pending && room) {
    if (frame.code === 'TOO_MANY_ROOMS') link.roomLimit = Math.max(1, link.members.size);
    bg.pendingJoins.delete(room);
    bg.keys.delete(room);
    if (pending.view) bg.post(pending.view, { type: 'error', code: 'RELAY_ERROR', message: RELAY_ERROR_WORDS[frame.code](wordsContext(link)) });
    await closeIfUnused(bg, link.url);
    bg.refresh();
    return;
  }
  if (room && (frame.code === 'ROOM_FULL' || frame.code === 'TOO_MANY_ROOMS' || frame.code === 'TOO_MANY_NEW_ROOMS') && bg.mem.rooms.has(room)) {
    roomRefused(bg, link, room, frame.code);
  }
}
