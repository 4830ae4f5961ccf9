import type { PeerJoinedFrame, PeerLeftFrame } from '../../shared/protocol.ts';
import type { Background } from '../context.ts';
import type { RelayLink } from '../relay-link.ts';
import { presenceOnMembership } from '../presence.ts';
import { directOnMembers } from '../direct-path.ts';

export async function onMembership(bg: Background, link: RelayLink, frame: PeerJoinedFrame | PeerLeftFrame): Promise<void> {
  const now = link.members.get(frame.room) ?? 1;
  link.members.set(frame.room, Math.max(1, now + (frame.type === 'JOINED' ? 1 : -1)));
  presenceOnMembership(bg, link, frame.room, frame.peer, frame.type === 'JOINED');
  directOnMembers(bg, link, frame.room);
  bg.refresh();
}
