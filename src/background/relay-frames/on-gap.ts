import type { GapFrame } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import type { RelayLink } from '../relay-link.ts';
import { putChatLine } from '../messages.ts';
import { roomStored, settling } from '../memory.ts';

/** Says plainly that history is missing rather than showing a chat that looks complete. */
export async function onGap(bg: Background, _link: RelayLink, frame: GapFrame): Promise<void> {
  const count = frame.to - frame.from + 1;
  const text = count === 1
    ? 'One earlier message is no longer kept by the relay.'
    : `${count} earlier messages are no longer kept by the relay.`;
  await putChatLine(bg, {
    roomId: frame.room, id: `gap-${frame.from}-${frame.to}`, kind: 'gap', seq: null, order: frame.to + 0.5,
    mine: false, nick: '', text, sentAt: Date.now(), status: 'received',
  }, null);
  // Those seqs are settled (gone), so the next rejoin asks only for what came after them; but
  // never past a seq below them that is not stored (settled-seqs.ts).
  const room = bg.mem.rooms.get(frame.room);
  if (!room) return;
  const settled = settling(bg, room, frame.from, frame.to);
  const next = settled.lastSeq !== room.lastSeq ? { ...room, lastSeq: settled.lastSeq } : null;
  if (next) await bg.db.put('rooms', next);
  settled.done();
  if (next) roomStored(bg, next);
}
