import { deriveRoomKeys } from '../../shared/crypto.ts';
import { parseJoinInput } from '../../shared/invite.ts';
import { formatRoomCode } from '../../shared/room-code.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { rememberRelay } from '../memory.ts';
import { boundJoin } from '../join-bounds.ts';
import { roomLimitProblem } from '../room-refusals.ts';
import { roomName } from './room-name.ts';

/** `msg.code` is an invite link (the room on its relay) or a bare code (the room on the default relay). */
export async function joinRoom(bg: Background, msg: Extract<ViewToBackground, { type: 'join-room' }>, view: ViewPort): Promise<void> {
  const parsed = parseJoinInput(typeof msg.code === 'string' ? msg.code : '');
  if (!parsed.ok) {
    const invite = parsed.error.code === 'BAD_INVITE' || parsed.error.code === 'INVITE_INSECURE';
    bg.post(view, { type: 'error', code: invite ? 'BAD_INVITE' : 'BAD_ROOM_CODE', message: parsed.error.message });
    return;
  }
  const { code } = parsed.value;
  const relayUrl = parsed.value.relayUrl ?? bg.mem.settings.relayUrl;
  const keys = await deriveRoomKeys(code);
  const existing = bg.mem.rooms.get(keys.roomId);
  if (existing) {
    // One room, one relay: the same code on another relay would be a second room under one id.
    if (existing.relayUrl !== relayUrl) {
      bg.post(view, {
        type: 'error', code: 'ROOM_ON_OTHER_RELAY',
        message: `You are already in this room on ${existing.relayUrl}, not on ${relayUrl}. Open it from your room list.`,
      });
      return;
    }
    bg.post(view, { type: 'room-ready', roomId: keys.roomId, code: formatRoomCode(code), created: false });
    return;
  }
  // The user chose to join through this relay: views do not ask about it again (knownRelays).
  if (parsed.value.relayUrl !== null) await rememberRelay(bg, relayUrl);
  const overLimit = await roomLimitProblem(bg, relayUrl);
  if (overLimit) {
    bg.post(view, { type: 'error', code: 'RELAY_ERROR', message: overLimit });
    return;
  }
  bg.keys.set(keys.roomId, keys);
  // Stored only once the relay confirms the room exists, so a wrong code leaves no trace.
  const pending = {
    record: { roomId: keys.roomId, code, name: roomName(msg.name, code), joinedAt: Date.now(), lastSeq: 0, unread: 0, relayUrl },
    view,
    failedOpens: 0,
  };
  bg.pendingJoins.set(keys.roomId, pending);
  boundJoin(bg, keys.roomId, pending);
  // Sent now if that relay's socket is open; otherwise the connection it opens sends it (join.ts).
  bg.links.open(relayUrl).socket.send({ type: 'ENTERROOM', room: keys.roomId, since: 0 });
  bg.refresh();
}
