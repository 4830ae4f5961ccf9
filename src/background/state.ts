import browser from 'webextension-polyfill';
import { inviteLink } from '../shared/invite.ts';
import { formatRoomCode, type RoomCode } from '../shared/room-code.ts';
import type { BackgroundToView, RoomSummary } from '../shared/view-messages.ts';
import type { Background } from './context.ts';
import { lastMessage, loadSettings } from './db.ts';
import { senderLabel } from '../shared/identity-rules.ts';
import { relayStatus, roomProblem } from './relay-status.ts';

/** Room list, settings and connection for every view, plus the unread badge. */
export async function publishState(bg: Background): Promise<void> {
  const settings = await loadSettings(bg.db);
  const records = await bg.db.getAll('rooms');
  const rooms: RoomSummary[] = [];
  let unread = 0;
  for (const r of records) {
    const last = await lastMessage(bg.db, r.roomId);
    unread += r.unread;
    rooms.push({
      roomId: r.roomId, code: formatRoomCode(r.code as RoomCode), name: r.name, unread: r.unread,
      lastText: last?.text.slice(0, 200) ?? null, lastNick: last?.kind === 'message' ? senderLabel(last).name : null, lastAt: last?.sentAt ?? null,
      members: bg.members.get(r.roomId) ?? 0,
      relayUrl: settings.relayUrl, invite: inviteLink(settings.relayUrl, r.code as RoomCode), problem: roomProblem(bg, r.roomId, settings.relayUrl),
    });
  }
  rooms.sort((a, b) => (b.lastAt ?? 0) - (a.lastAt ?? 0));
  const state: BackgroundToView = {
    type: 'state', rooms, settings, connection: bg.relay.status, relays: [relayStatus(bg, settings.relayUrl)], knownRelays: [settings.relayUrl],
  };
  for (const view of bg.views) bg.post(view, state);
  await browser.action.setBadgeText({ text: unread === 0 ? '' : unread > 999 ? '999+' : String(unread) });

  // The socket is wanted exactly while there is a room to be in.
  if (records.length > 0 || bg.pendingJoins.size > 0) bg.relay.want(settings.relayUrl);
  else bg.relay.stop();
}
