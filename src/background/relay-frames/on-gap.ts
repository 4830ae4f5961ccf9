import type { GapFrame } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import type { RelayLink } from '../relay-link.ts';
import { putChatLine } from '../messages.ts';
import { putRoom } from '../memory.ts';

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
  // Those seqs are settled (gone), so the next rejoin asks only for what came after them.
  const room = bg.mem.rooms.get(frame.room);
  if (room && frame.to > room.lastSeq) await putRoom(bg, { ...room, lastSeq: frame.to });
}
