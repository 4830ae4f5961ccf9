import browser from 'webextension-polyfill';
import { inviteLink } from '../shared/invite.ts';
import { formatRoomCode, type RoomCode } from '../shared/room-code.ts';
import type { BackgroundToView, RoomSummary } from '../shared/view-messages.ts';
import type { Background, ViewPort } from './context.ts';
import { lastMessage } from './db.ts';
import { senderLabel } from '../shared/identity-rules.ts';
import { relaysInUse } from './relay-links.ts';
import { overall, relayStatus, roomProblem } from './relay-status.ts';
import { memberCount, roomPresence } from './presence.ts';
import { saveLastRoom } from './last-room.ts';
import { storageProblem } from './storage-full.ts';
import { directProblem } from './direct-path.ts';
import { directUnavailable } from './peer-host.ts';
import { lineWords } from './line-words.ts';
import { keptSiteSummaries } from './kept-site-list.ts';

/** What each view was last sent, so an unchanged state is not sent again (an ACK, a status). */
const told = new WeakMap<ViewPort, string>();
/** The same for each view's room-presence. */
const toldPresence = new WeakMap<ViewPort, string>();

/** A view (re)opened a room and forgot what it showed: its presence is sent again with the next state. */
export function presenceForgotten(view: ViewPort): void {
  toldPresence.delete(view);
}
let badge: string | null = null;

/**
 * Room list, settings and every relay's connection for every view, plus the unread badge. Built
 * from memory (memory.ts): only a room's last line is read, once, and then follows the writes.
 */
export async function publishState(bg: Background): Promise<void> {
  // A socket is wanted exactly while there is a room (or a join) on its relay.
  bg.links.keep(await relaysInUse(bg));
  const { settings } = bg.mem;
  const records = [...bg.mem.rooms.values()];
  const rooms: RoomSummary[] = [];
  let unread = 0;
  for (const r of records) {
    let last = bg.mem.lastLines.get(r.roomId);
    if (last === undefined) {
      last = await lastMessage(bg.db, r.roomId);
      // Left meanwhile? Then nothing follows its writes any more.
      if (bg.mem.rooms.has(r.roomId)) bg.mem.lastLines.set(r.roomId, last);
    }
    const link = bg.links.get(r.relayUrl);
    unread += r.unread;
    rooms.push({
      roomId: r.roomId, code: formatRoomCode(r.code as RoomCode), name: r.name, unread: r.unread,
      lastText: last ? lineWords(last).slice(0, 200) : null, lastNick: last?.kind === 'message' ? senderLabel(last).name : null, lastAt: last?.sentAt ?? null,
      members: memberCount(link, r.roomId), muted: r.muted === true,
      relayUrl: r.relayUrl, invite: inviteLink(r.relayUrl, r.code as RoomCode), problem: roomProblem(link, r.roomId),
      ...(r.page ? { pageRoom: true } : {}),
    });
  }
  rooms.sort((a, b) => (b.lastAt ?? 0) - (a.lastAt ?? 0));
  // The default relay first, the others in a stable order.
  const links = bg.links.all().sort((a, b) =>
    Number(b.url === settings.relayUrl) - Number(a.url === settings.relayUrl) || (a.url < b.url ? -1 : a.url > b.url ? 1 : 0));
  const relays = links.map(relayStatus);
  const knownRelays = [...new Set([settings.relayUrl, ...records.map((r) => r.relayUrl), ...bg.mem.knownRelays])];
  await saveLastRoom(bg);
  const state: BackgroundToView = { type: 'state', rooms, settings, connection: overall(relays.map((r) => r.connection)), relays, knownRelays, lastRoomId: bg.lastRoomId, storageProblem: storageProblem(bg), overlayTabs: [...bg.overlayHosts.keys()], keptSites: keptSiteSummaries(bg), ...directProblem(bg), ...directUnavailable() };
  const text = JSON.stringify(state);
  for (const view of bg.views) {
    if (told.get(view) === text) continue;
    told.set(view, text);
    bg.post(view, state);
  }
  await publishPresence(bg);
  const next = unread === 0 ? '' : unread > 999 ? '999+' : String(unread);
  if (next !== badge) {
    badge = next;
    await browser.action.setBadgeText({ text: next });
  }
}

/**
 * Who is in the room each view is watching, and who is typing; sent when it changed, so going
 * offline turns it to unknown at once (presence.ts, rule 1).
 */
async function publishPresence(bg: Background): Promise<void> {
  for (const view of bg.views) {
    if (view.watching === null) continue;
    const room = bg.mem.rooms.get(view.watching);
    const presence = await roomPresence(bg, room ? bg.links.get(room.relayUrl) : undefined, view.watching);
    const message: BackgroundToView = { type: 'room-presence', roomId: view.watching, ...presence };
    const text = JSON.stringify(message);
    if (toldPresence.get(view) === text) continue;
    toldPresence.set(view, text);
    bg.post(view, message);
  }
}
