import type { AckFrame } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import { markAcked } from '../messages.ts';

export function onAck(bg: Background, frame: AckFrame): Promise<void> {
  return markAcked(bg, frame.room, frame.id, frame.seq);
}
