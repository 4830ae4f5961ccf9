import { deriveRoomKeys } from '../../shared/crypto.ts';
import { normalisePageUrl } from '../../shared/page-url.ts';
import { pageRoomCode } from '../../shared/page-room.ts';
import { formatRoomCode, type RoomCode } from '../../shared/room-code.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { putRoom, rememberRelay } from '../memory.ts';
import { roomLimitProblem } from '../room-refusals.ts';
import { roomName } from './room-name.ts';

/**
 * "Chat about this page": the room whose code is derived from the page's normalised address
 * (docs/protocol.md "A public page room"), on the default relay. GETROOM, not ENTERROOM: the
 * first visitor makes it. The relay sees only the room id; the address stays here.
 */
export async function joinPageRoom(bg: Background, msg: Extract<ViewToBackground, { type: 'join-page-room' }>, view: ViewPort): Promise<void> {
  const url = normalisePageUrl(typeof msg.url === 'string' ? msg.url : '');
  if (!url.ok) {
    bg.post(view, { type: 'error', code: 'NOT_A_PAGE', message: url.error.message });
    return;
  }
  const title = typeof msg.title === 'string' ? msg.title : '';
  // The slow derivation (about half a second) runs outside the serial queue, so live traffic is
  // not held up behind it; joining, which touches state, is queued once the code is known.
  void pageRoomCode(url.value).then(
    (code) => bg.run((b) => joinDerived(b, code, url.value, title, view)),
    (e: unknown) => bg.post(view, { type: 'error', code: 'TASK_FAILED', message: `Parley could not make this page's room: ${e instanceof Error ? e.message : String(e)}` }),
  );
}

async function joinDerived(bg: Background, code: RoomCode, url: string, title: string, view: ViewPort): Promise<void> {
  const keys = await deriveRoomKeys(code);
  const known = bg.mem.rooms.get(keys.roomId);
  if (known) {
    // Joined before by its code (someone shared it): it is this page's public room all the same,
    // and must say so.
    if (!known.page) {
      await putRoom(bg, { ...known, page: true });
      bg.refresh();
    }
    bg.post(view, { type: 'room-ready', roomId: keys.roomId, code: formatRoomCode(code), created: false });
    return;
  }
  const { relayUrl } = bg.mem.settings;
  const overLimit = await roomLimitProblem(bg, relayUrl);
  if (overLimit) {
    bg.post(view, { type: 'error', code: 'RELAY_ERROR', message: overLimit });
    return;
  }
  bg.keys.set(keys.roomId, keys);
  await putRoom(bg, {
    roomId: keys.roomId, code, name: roomName(title || new URL(url).host, code), joinedAt: Date.now(), lastSeq: 0, unread: 0, relayUrl, page: true,
  });
  await rememberRelay(bg, relayUrl);
  bg.lastRoomId = keys.roomId;
  bg.links.open(relayUrl).socket.send({ type: 'GETROOM', room: keys.roomId, since: 0 });
  bg.post(view, { type: 'room-ready', roomId: keys.roomId, code: formatRoomCode(code), created: false });
  bg.refresh();
}
