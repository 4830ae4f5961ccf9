import { HERE_REPEAT_MS, openEphemeral, sealEphemeral, signedHere, TYPING_EVERY_MS, TYPING_SHOWN_MS, verifiedHere, type Ephemeral, type Here, type Unstamped } from '../shared/ephemeral.ts';
import { safetyCode } from '../shared/identity.ts';
import { nicknameKey, NOT_VERIFIED_MARK, OTHER_KEY_LABEL } from '../shared/identity-rules.ts';
import type { EphemeralDeliverFrame, RoomFrame } from '../shared/protocol.ts';
import type { Member } from '../shared/view-messages.ts';
import type { Background } from './context.ts';
import { ownIdentity } from './identity.ts';
import { memorySenders } from './memory.ts';
import type { RelayLink } from './relay-link.ts';
import { noteGot } from './receipts.ts';
import { pathOf } from './direct-path.ts';
import { roomKeys } from './room-keys.ts';
import { paceEphemeral } from './ephemeral-pacer.ts';

// Who is in a room and who is typing. The rules:
//
// 1. Members are the relay's: ROOM's `members` (plus us), then JOINED and LEFT, all by peer id, on
//    the current connection only. While that connection is not online the room's members are
//    unknown (null), never the count from before: a new connection starts again from its ROOM.
// 2. Who a member is comes from their sealed `here` (src/shared/ephemeral.ts): a nickname, and a
//    signature by their identity key over the room, their peer id, key, nickname and time. A member
//    is shown verified (fingerprint, safety code) only if that signature holds for the peer id the
//    relay stamped on the frame; an unsigned or forged `here` gives a nickname, no fingerprint,
//    and the typing line says NOT_VERIFIED_MARK after it (anyone in the room can claim a name).
//    A verified nickname first seen in this room under another key (identity-rules.ts rule 3, the
//    same memory as messages) is flagged OTHER_KEY_LABEL in the member list and the typing line.
// 3. A newcomer announces itself once its replay is done (`here` with ask), and every member that
//    hears an ask answers once with its own `here` (without ask, so answers never cascade). A new
//    nickname is announced again, without ask, and so is every live room every HERE_REPEAT_MS, as
//    EPHEMERAL is lossy: a dropped `here` leaves a member nameless for at most that long.
// 4. Typing shows for TYPING_SHOWN_MS after the last `typing` from a member, and stops at once on
//    their `stopped`, a message from them, or their LEFT. Ours goes out at most every
//    TYPING_EVERY_MS per room while the composer says typing (a `stopped` does not reset that: a
//    typing held back after a `stopped` goes out when the throttle allows, unless the composer
//    stopped again first), and `stopped` only if a `typing` went since the last one.
// 5. Anything that does not open as a fresh ephemeral body of this room, names inside the seal
//    another peer than the `from` the relay stamped (so a relay cannot re-stamp Ana's `got` as
//    Bob's), or comes from a peer the relay did not put in the room, is dropped without a word.
// 6. Replays cost nothing visible: one typing timer per member, restarted; a redraw only when what
//    is shown changes; a `here` equal to that member's last one is not checked again. A resync
//    (ROOM again on the same connection, same peer id) keeps what members still listed said.

interface PeerState {
  nick: string | null;
  key: string | null;
  fingerprint: string | null;
  /** Worked out once per verified `here`, not on every state sent. */
  safetyCode: string | null;
  /** The verified nickname was first seen in this room under another key (identity-rules.ts rule 3). */
  otherKey: boolean;
  typingUntil: number;
  /** Redraws when typing runs out; one per member, restarted by each `typing`. */
  typingTimer?: ReturnType<typeof setTimeout>;
  /** Said `here` with ask and was answered: answered once only. */
  answered: boolean;
  /** The last `here` heard from this member, as JSON: a copy of it is not checked again. */
  lastHere: string | null;
}

export interface RoomPresence {
  /** Our peer id in this room on this connection (ROOM.peer). */
  me: string;
  peers: Map<string, PeerState>;
  /** When our last `typing` went out (0: never on this connection). */
  typingSent: number;
  /** A `typing` went out since our last `stopped`. */
  typingShown: boolean;
  /** A `typing` held back by the throttle after a `stopped`, sent when the throttle allows. */
  typingLater?: ReturnType<typeof setTimeout>;
}

const blank = (): PeerState => ({
  nick: null, key: null, fingerprint: null, safetyCode: null, otherKey: false, typingUntil: 0, answered: false, lastHere: null,
});

/** Rule 1: the relay let us into the room on this connection (again, on a resync: rule 6). */
export function presenceOnRoom(link: RelayLink, frame: RoomFrame): void {
  const existing = link.presence.get(frame.room);
  if (existing && existing.me === frame.peer) {
    // A resync on the same connection: members still listed keep their name and verification.
    const peers = new Map(frame.members.map((p) => [p, existing.peers.get(p) ?? blank()]));
    for (const [p, s] of existing.peers) if (!peers.has(p)) clearTimeout(s.typingTimer);
    existing.peers = peers;
    return;
  }
  if (existing) {
    clearTimeout(existing.typingLater);
    for (const s of existing.peers.values()) clearTimeout(s.typingTimer);
  }
  link.presence.set(frame.room, { me: frame.peer, peers: new Map(frame.members.map((p) => [p, blank()])), typingSent: 0, typingShown: false });
}

/** We left the room: nothing of its presence stays on this connection (its timers neither). */
export function presenceRoomLeft(link: RelayLink, room: string): void {
  const presence = link.presence.get(room);
  if (!presence) return;
  clearTimeout(presence.typingLater);
  for (const s of presence.peers.values()) clearTimeout(s.typingTimer);
  link.presence.delete(room);
}

export function presenceOnMembership(bg: Background, link: RelayLink, room: string, peer: string, joined: boolean): void {
  const presence = link.presence.get(room);
  if (!presence) return;
  if (joined) presence.peers.set(peer, presence.peers.get(peer) ?? blank());
  else {
    clearTimeout(presence.peers.get(peer)?.typingTimer);
    presence.peers.delete(peer);
  }
  bg.refresh();
}

/** Rule 3: our replay is done, say who we are and ask the others. */
export async function announce(bg: Background, link: RelayLink, room: string, ask: boolean): Promise<void> {
  const presence = link.presence.get(room);
  if (!presence || presence.peers.size === 0) return; // alone: a newcomer's ask reaches us later
  const me = await ownIdentity(bg.db);
  const { peer: _, ...here } = await signedHere(me, room, presence.me, bg.mem.settings.nickname, ask, Date.now());
  await sendEphemeral(bg, link, room, here);
}

/** Our nickname changed: every room we are live in hears the new one (rule 3). */
export async function announceEverywhere(bg: Background): Promise<void> {
  for (const link of bg.links.all()) {
    for (const room of link.presence.keys()) if (link.synced.has(room)) await announce(bg, link, room, false);
  }
}

/** Rule 3's repeat, while the worker lives (a socket's keepalive keeps it alive while in use). */
export function repeatPresence(bg: Background): void {
  setInterval(() => bg.run(announceEverywhere), HERE_REPEAT_MS);
}

/**
 * Seals `body` with our own peer id in this room inside (rule 5) and sends it, within the relay's
 * budget for these frames (ephemeral-pacer.ts): sealed when it goes, on the connection it goes on.
 */
export async function sendEphemeral(bg: Background, link: RelayLink, room: string, body: Unstamped): Promise<void> {
  // A `here` that asks waits apart from one that does not: an answer or a repeat must not take an ask's place.
  const group = body.k === 'here' ? (body.ask ? 'ask' : 'here') : body.k === 'got' ? 'got' : 'typing';
  await paceEphemeral(link, room, group, async () => {
    const keys = await roomKeys(bg, room);
    const presence = link.presence.get(room);
    if (!keys || !presence || !link.socket.isOpen) return;
    link.socket.send({ type: 'EPHEMERAL', room, body: await sealEphemeral(keys, { ...body, peer: presence.me } as Ephemeral) });
  }, (task) => bg.run(task));
}

/** Rule 5 then 2-4 and 6: a member's broadcast. */
export async function presenceOnEphemeral(bg: Background, link: RelayLink, frame: EphemeralDeliverFrame): Promise<void> {
  const presence = link.presence.get(frame.room);
  const peer = presence?.peers.get(frame.from);
  const keys = await roomKeys(bg, frame.room);
  if (!presence || !peer || !keys) return;
  const body = await openEphemeral(keys, frame.body, Date.now());
  if (!body || body.peer !== frame.from) return;
  switch (body.k) {
    case 'here':
      if (await hereHeard(bg, frame.room, peer, body)) bg.refresh();
      if (body.ask && !peer.answered && link.synced.has(frame.room)) {
        peer.answered = true;
        await announce(bg, link, frame.room, false);
      }
      return;
    case 'typing': {
      const shown = peer.typingUntil > Date.now();
      peer.typingUntil = Date.now() + TYPING_SHOWN_MS;
      // Redrawn when it runs out: one timer per member, restarted by each `typing`.
      clearTimeout(peer.typingTimer);
      peer.typingTimer = setTimeout(() => {
        peer.typingTimer = undefined;
        bg.refresh();
      }, TYPING_SHOWN_MS + 50);
      if (!shown) bg.refresh();
      return;
    }
    case 'stopped':
      endTyping(bg, peer);
      return;
    case 'got':
      await noteGot(bg, link, frame.room, frame.from, body.seq);
      return;
  }
}

/** Rules 2 and 6: takes a member's `here`; true if what is shown of them changed. */
async function hereHeard(bg: Background, room: string, peer: PeerState, here: Here): Promise<boolean> {
  const copy = JSON.stringify([here.nick, here.key ?? null, here.sig ?? null, here.at]);
  if (copy === peer.lastHere) return false;
  peer.lastHere = copy;
  const before = JSON.stringify([peer.nick, peer.fingerprint, peer.safetyCode, peer.otherKey]);
  const verified = await verifiedHere(room, here.peer, here);
  const name = nicknameKey(here.nick);
  peer.nick = here.nick;
  peer.key = verified?.key ?? null;
  peer.fingerprint = verified?.fingerprint ?? null;
  peer.safetyCode = verified ? await safetyCode((await ownIdentity(bg.db)).publicKey, verified.key) : null;
  peer.otherKey = verified !== null && name !== '' && (await memorySenders(bg).claim(room, name, verified.key)) !== verified.key;
  return JSON.stringify([peer.nick, peer.fingerprint, peer.safetyCode, peer.otherKey]) !== before;
}

function endTyping(bg: Background, peer: PeerState): void {
  clearTimeout(peer.typingTimer);
  peer.typingTimer = undefined;
  const shown = peer.typingUntil > Date.now();
  peer.typingUntil = 0;
  if (shown) bg.refresh();
}

/** Rule 4: a member's message ends their typing (found by the nickname it was sent under). */
export function typingEndsWithMessage(bg: Background, link: RelayLink, room: string, from: string): void {
  const peer = link.presence.get(room)?.peers.get(from);
  if (peer) endTyping(bg, peer);
}

/** Rule 4, our side: the composer says typing or not. */
export async function ourTyping(bg: Background, link: RelayLink, room: string, typing: boolean): Promise<void> {
  const presence = link.presence.get(room);
  if (!presence || !link.synced.has(room) || presence.peers.size === 0) return;
  const now = Date.now();
  if (!typing) {
    clearTimeout(presence.typingLater);
    presence.typingLater = undefined;
    if (!presence.typingShown) return;
    presence.typingShown = false;
    await sendEphemeral(bg, link, room, { v: 1, k: 'stopped', at: now });
    return;
  }
  // Also right after a `stopped`: a fast typist sending line after line must not send a pair per
  // line (that would spend the relay's general budget, which chat shares).
  if (now - presence.typingSent < TYPING_EVERY_MS) {
    // Typing again soon after a `stopped`: shown once the throttle allows, unless it stops first.
    if (!presence.typingShown && presence.typingLater === undefined) {
      presence.typingLater = setTimeout(() => bg.run(async (b) => {
        presence.typingLater = undefined;
        if (link.presence.get(room) === presence) await ourTyping(b, link, room, true);
      }), presence.typingSent + TYPING_EVERY_MS - now);
    }
    return;
  }
  presence.typingSent = now;
  presence.typingShown = true;
  await sendEphemeral(bg, link, room, { v: 1, k: 'typing', at: now });
}

/** Rule 1: the members of a room as a view shows them, or null while unknown; and who is typing. */
export async function roomPresence(bg: Background, link: RelayLink | undefined, room: string): Promise<{ members: Member[] | null; typing: string[] }> {
  const presence = link?.presence.get(room);
  if (!link || !presence || link.socket.status !== 'online') return { members: null, typing: [] };
  const me = await ownIdentity(bg.db);
  const now = Date.now();
  const members: Member[] = [{ peer: presence.me, nick: bg.mem.settings.nickname, fingerprint: me.fingerprint, me: true, safetyCode: null }];
  const typing: string[] = [];
  for (const [peer, s] of presence.peers) {
    const path = pathOf(bg, room, peer);
    members.push({ peer, nick: s.nick, fingerprint: s.fingerprint, me: false, safetyCode: s.safetyCode, otherKey: s.otherKey, ...(path ? { path } : {}) });
    if (s.typingUntil > now) typing.push(typingName(s));
  }
  return { members, typing };
}

/** Rule 2 in the typing line: a name no signature stands behind says so, as the member list does. */
function typingName(s: PeerState): string {
  if (!s.nick) return 'Someone';
  if (!s.fingerprint) return `${s.nick} ${NOT_VERIFIED_MARK}`;
  return s.otherKey ? `${s.nick} ${OTHER_KEY_LABEL}` : s.nick;
}

/** The number of members shown in the room list: null while unknown (rule 1). */
export function memberCount(link: RelayLink | undefined, room: string): number | null {
  const presence = link?.presence.get(room);
  return link && presence && link.socket.status === 'online' ? presence.peers.size + 1 : null;
}
