import type { PeerJoinedFrame, PeerLeftFrame } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';

export async function onMembership(bg: Background, frame: PeerJoinedFrame | PeerLeftFrame): Promise<void> {
  const now = bg.members.get(frame.room) ?? 1;
  bg.members.set(frame.room, Math.max(1, now + (frame.type === 'JOINED' ? 1 : -1)));
  bg.refresh();
}
