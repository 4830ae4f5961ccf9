import type { AckFrame } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import type { RelayLink } from '../relay-link.ts';
import { markAcked } from '../messages.ts';
import { flushOutbox } from '../outbox.ts';
import { noteAnswered } from '../unanswered.ts';
import { noteAcked } from '../receipts.ts';

/** One message arrived: mark it sent, and let the next queued one onto the wire. */
export async function onAck(bg: Background, link: RelayLink, frame: AckFrame): Promise<void> {
  noteAnswered(link, frame.room, frame.id);
  await markAcked(bg, frame.room, frame.id, frame.seq);
  await noteAcked(bg, link, frame.room, frame.id, frame.seq);
  link.inFlight.get(frame.room)?.delete(frame.id);
  await flushOutbox(bg, link, frame.room);
}
