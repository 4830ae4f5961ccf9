import type { Runtime } from 'webextension-polyfill';
import type { SignalDeliverFrame, SignalKind } from '../shared/protocol.ts';
import type { IceServer, OffscreenToBackground } from '../shared/offscreen-messages.ts';
import { openSignal, sealSignal } from '../shared/signal-seal.ts';
import type { Background } from './context.ts';
import type { RelayLink } from './relay-link.ts';
import { roomKeys } from './room-keys.ts';
import { makePeerHost, peerHostSupported, type PeerHost } from './peer-host.ts';
import { receiveDirect } from './direct-receive.ts';
import { reconnectDelay } from './backoff.ts';

// The direct path (docs/protocol.md "The direct path"; docs/architecture.md "The direct path").
// The rules:
//  1. Only with the setting "Direct connections" on (off by default). Turned off, every connection
//     closes and the offscreen document with the last one.
//  2. One connection per (room, other member the room's relay lists on our current connection).
//     The member with the lower peer id (string order) offers; the higher one never offers and
//     answers only an offer from a lower id that the relay lists in the room, and whose sealed
//     `at` is later than the last offer it took from that member (a replay must not cut a channel).
//  3. Signals are sealed with the room key (signal-seal.ts) and go as SIGNAL through the room's
//     relay; one that does not open, or names other peers, is dropped without a word. At most
//     MAX_SIGNALS_PER_CONN go out per connection attempt, so a broken peer cannot make us spend
//     the relay's budget forever.
//  4. A first attempt not open within DIRECT_CONNECT_TIMEOUT_MS (or closed before it opened) is
//     given up: that member stays "relayed" until it joins again (a new peer id is a new attempt),
//     so a member with the setting off costs one attempt, not a stream of them.
//  5. A member's LEFT, or a ROOM that no longer lists it, closes its connection; leaving the room
//     closes all of its connections. The relay's socket dropping does not: open channels carry on
//     without the relay, which is their point.
//  6. What goes over a channel: each message we queue for the relay, the same room, id and sealed
//     body, on every open channel of its room, once, when it is queued. The relay still gets it
//     (history, acks, offline members); this path only makes it arrive sooner. We send within
//     the receiver's budget (rule 7), with a margin (SEND_BURST, SEND_PER_SEC): a message over it
//     skips that channel (its relay copy still goes; a direct-only one counts it as not reached,
//     direct-only.ts), so a burst is never dropped unseen at the other end.
//  7. What comes over a channel is checked and opened like a relayed CHATMSG, stored without a seq
//     and deduped by (room, id) whichever path brings it first; the relay's copy adds the seq
//     (direct-receive.ts, messages.ts putChatLine) if it is the same sealed body; if not, the
//     relay's copy replaces the line (everyone else has it) and the line says so (on-chat-message.ts).
//     Each channel may deliver DIRECT_PER_SEC messages a second in bursts of DIRECT_BURST; beyond,
//     dropped. At most MAX_DIRECT_WAITING lines per room wait for the relay's seq (the oldest goes),
//     and retention never counts them (retention.ts).
//  8. The background owns all state; the offscreen document only holds the RTCPeerConnections.
//     When it goes (its port closes), every connection is gone and every member is relayed until
//     rule 10 connects them again. Each attempt has its own `conn` id, so a report about an
//     attempt that was replaced (still on its way over the port) never touches the new one.
//  9. ICE servers are a setting, empty by default: loopback and a LAN need none.
// 10. A connection that opened and then died (its channel closed, ICE 'failed', the offscreen
//     document gone) leaves the member "relayed" at once, and the offering side (the lower peer
//     id) tries again with a fresh connection after reconnectDelay(n) (base DIRECT_RETRY_BASE_MS,
//     cap DIRECT_RETRY_MAX_MS, equal jitter), n counting the retries made for that peer id; a
//     retry that fails (rule 4's timeout, closed before open) is followed by the next one. n goes
//     back to 0 when a channel dies after staying open DIRECT_STABLE_MS; after MAX_DIRECT_RETRIES
//     in a row the member is given up as in rule 4. The answering side never retries: it takes the
//     offerer's newer offer (rule 2). An attempt cut by the document going counts as died. Retry
//     timers go with the member (rule 5), the room left, or the setting off. Not ICE restart:
//     a fresh connection is its honest equivalent here (docs/protocol.md, "The direct path").

export const DIRECT_CONNECT_TIMEOUT_MS = 15_000;
export const MAX_SIGNALS_PER_CONN = 40;
/** What one channel may deliver (rule 7): the relay's own default budget per connection. */
export const DIRECT_PER_SEC = 20;
export const DIRECT_BURST = 100;
/** Rule 6: what we send on one channel, a little inside what the other end takes (arrivals jitter). */
export const SEND_PER_SEC = DIRECT_PER_SEC * 0.9;
export const SEND_BURST = DIRECT_BURST - 10;
/** Rule 10: retries of a connection that died, and when a channel counts as having worked. */
export const DIRECT_RETRY_BASE_MS = 1_000;
export const DIRECT_RETRY_MAX_MS = 30_000;
export const MAX_DIRECT_RETRIES = 8;
export const DIRECT_STABLE_MS = 30_000;

interface DirectConn {
  /** This attempt's `conn` id with the offscreen document (rule 8); `pair` keys `conns`. */
  key: string;
  pair: string;
  room: string;
  /** The other member's peer id, and ours, on the relay connection the attempt began on. */
  peer: string;
  me: string;
  relayUrl: string;
  open: boolean;
  /** When the channel opened (Date.now()); rule 10 tells a channel that worked from a flapping one. */
  openedAt: number | null;
  signals: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** Rule 7's budget: messages it may still deliver to us. */
  received: Budget;
  /** Rule 6's: messages we may still send on it. */
  sent: Budget;
}

/** A token bucket: `tokens` as of `refilledAt` (performance.now()). */
interface Budget {
  tokens: number;
  refilledAt: number;
}

/** Takes one message from budget `b` (`burst`, refilled `perSec`); false: over it. */
function takeToken(b: Budget, burst: number, perSec: number, now = performance.now()): boolean {
  b.tokens = Math.min(burst, b.tokens + (Math.max(0, now - b.refilledAt) * perSec) / 1000);
  b.refilledAt = Math.max(b.refilledAt, now);
  if (b.tokens < 1) return false;
  b.tokens -= 1;
  return true;
}

/** Rule 10: a (room, peer) whose connection once opened, so the offering side may try again. */
interface Retry {
  n: number;
  timer: ReturnType<typeof setTimeout> | undefined;
}

export interface DirectState {
  /** By (room, peer): connKey. */
  conns: Map<string, DirectConn>;
  /** Attempts given up (rule 4), by key, until that peer id joins again. */
  gaveUp: Set<string>;
  /** The `at` of the last offer accepted from each (room, peer): a replayed one is not newer (rule 2). */
  offerAt: Map<string, number>;
  /** Rule 10, by connKey. */
  retries: Map<string, Retry>;
  /** Attempts begun per connKey on this peer id: the second and later get a `conn` id of their own (rule 8). */
  begun: Map<string, number>;
  /** Why the browser last refused to make a connection, in its words (Settings shows it); null: it has not. */
  problem: string | null;
  /** Whatever holds the RTCPeerConnections (peer-host.ts): Chrome's offscreen document, Firefox's own page. */
  doc: PeerHost;
}

const connKey = (room: string, peer: string): string => `${room}|${peer}`;
const enabled = (bg: Background): boolean => bg.mem.settings.directConnections === true && peerHostSupported();
const iceServers = (bg: Background): IceServer[] => bg.mem.settings.iceServers ?? [];

function direct(bg: Background): DirectState {
  return (bg.direct ??= {
    conns: new Map(),
    gaveUp: new Set(),
    offerAt: new Map(),
    retries: new Map(),
    begun: new Map(),
    problem: null,
    doc: makePeerHost((msg) => bg.run((b) => fromOffscreen(b, msg)), () => bg.run(async (b) => documentGone(b))),
  });
}

/** Whether any data channel is open: the background then stays awake (index.ts), relay or no relay. */
export function hasOpenChannel(bg: Background): boolean {
  for (const c of bg.direct?.conns.values() ?? []) if (c.open) return true;
  return false;
}

/** The path to `peer` in `room` as the member list shows it; undefined while the setting is off. */
export function pathOf(bg: Background, room: string, peer: string): 'direct' | 'relayed' | undefined {
  if (bg.mem.settings.directConnections !== true) return undefined;
  return bg.direct?.conns.get(connKey(room, peer))?.open ? 'direct' : 'relayed';
}

/** For the state message: why the browser refused a direct connection, in words (Settings shows it). */
export function directProblem(bg: Background): { directProblem?: string } {
  const why = bg.mem.settings.directConnections === true ? bg.direct?.problem : null;
  return why ? { directProblem: `The browser refused to make a direct connection (check the STUN/TURN servers): ${why}` } : {};
}

/** The offscreen document's port (index.ts checked its sender). */
export function acceptOffscreen(bg: Background, port: Runtime.Port): void {
  direct(bg).doc.accept(port);
}

/** Rules 1, 2, 5: after ROOM, JOINED or LEFT for `room` on `link`, and after the setting changed. */
export function directOnMembers(bg: Background, link: RelayLink, room: string): void {
  if (!enabled(bg) && !bg.direct) return;
  const d = direct(bg);
  const presence = link.presence.get(room);
  const on = enabled(bg);
  for (const c of [...d.conns.values()]) {
    if (c.room !== room || c.relayUrl !== link.url) continue;
    if (!on || !presence || presence.me !== c.me || !presence.peers.has(c.peer)) close(bg, c);
  }
  for (const key of [...d.gaveUp]) if (key.startsWith(`${room}|`) && !presence?.peers.has(key.slice(room.length + 1))) d.gaveUp.delete(key);
  for (const key of [...d.offerAt.keys()]) if (key.startsWith(`${room}|`) && !presence?.peers.has(key.slice(room.length + 1))) d.offerAt.delete(key);
  forgetRetries(d, room, (peer) => on && presence?.peers.has(peer) === true);
  for (const key of [...d.begun.keys()]) if (key.startsWith(`${room}|`) && !presence?.peers.has(key.slice(room.length + 1))) d.begun.delete(key);
  if (on && presence) {
    for (const peer of presence.peers.keys()) {
      const key = connKey(room, peer);
      // A retry waiting out its backoff (rule 10) is not hurried by another member's JOINED.
      if (presence.me < peer && !d.conns.has(key) && !d.gaveUp.has(key) && !d.retries.get(key)?.timer) begin(bg, link, room, presence.me, peer, true);
    }
  }
  releaseIfIdle(bg);
}

/** The setting changed: every room on every link is looked at again. */
export function directEverywhere(bg: Background): void {
  // New settings (other STUN/TURN servers, perhaps): what the browser refused is tried again.
  if (bg.direct?.problem) {
    bg.direct.problem = null;
    bg.direct.gaveUp.clear();
  }
  for (const link of bg.links.all()) for (const room of link.presence.keys()) directOnMembers(bg, link, room);
  // Rules 1, 10: off, nothing stays, not even in a room whose relay is down (no presence to visit).
  if (bg.direct && !enabled(bg)) {
    const rooms = new Set([...bg.direct.conns.values()].map((c) => c.room));
    for (const key of bg.direct.retries.keys()) rooms.add(key.split('|')[0]!);
    for (const room of rooms) directRoomLeft(bg, room);
  }
}

/** A SIGNAL from the room's relay (rules 2, 3). */
export async function onSignal(bg: Background, link: RelayLink, frame: SignalDeliverFrame): Promise<void> {
  if (!enabled(bg)) return;
  const presence = link.presence.get(frame.room);
  const keys = await roomKeys(bg, frame.room);
  if (!presence || !keys || !presence.peers.has(frame.from)) return;
  const signal = await openSignal(keys, frame.body, { kind: frame.kind, from: frame.from, me: presence.me }, Date.now());
  if (!signal) return;
  const d = direct(bg);
  const key = connKey(frame.room, frame.from);
  if (signal.kind === 'offer') {
    if (!(frame.from < presence.me)) return;
    // A replay (the relay sending an offer again within SIGNAL_FRESH_MS) is not newer than the
    // offer that opened the connection we have: it must not cut it.
    if (signal.at <= (d.offerAt.get(key) ?? -1)) return;
    d.offerAt.set(key, signal.at);
    d.gaveUp.delete(key);
    const old = d.conns.get(key);
    if (old) close(bg, old);
    begin(bg, link, frame.room, presence.me, frame.from, false);
  }
  const c = d.conns.get(key);
  if (!c) return;
  if (signal.kind === 'candidate') d.doc.send({ type: 'remote-candidate', conn: c.key, candidate: signal.data });
  else d.doc.send({ type: 'remote-description', conn: c.key, kind: signal.kind, sdp: signal.data });
}

/** Rule 6: our message, as queued for the relay, on every open channel of its room. */
export function sendDirect(bg: Background, room: string, id: string, body: string): void {
  if (!bg.direct || !enabled(bg)) return;
  const data = JSON.stringify({ t: 'msg', room, id, body });
  for (const c of bg.direct.conns.values()) {
    if (c.room === room && c.open && takeToken(c.sent, SEND_BURST, SEND_PER_SEC)) bg.direct.doc.send({ type: 'send', conn: c.key, data });
  }
}

/**
 * "Don't store my messages on the relay" (direct-only.ts): our message, flagged `only`, on every
 * open channel of its room and nowhere else; returns on how many channels it went, and how many
 * open ones it skipped for being over their budget (rule 6).
 */
export function sendDirectOnly(bg: Background, room: string, id: string, body: string): { to: number; overBudget: number } {
  const out = { to: 0, overBudget: 0 };
  if (!bg.direct || !enabled(bg)) return out;
  const data = JSON.stringify({ t: 'msg', room, id, body, only: true });
  for (const c of bg.direct.conns.values()) {
    if (c.room !== room || !c.open) continue;
    if (!takeToken(c.sent, SEND_BURST, SEND_PER_SEC)) {
      out.overBudget++;
      continue;
    }
    bg.direct.doc.send({ type: 'send', conn: c.key, data });
    out.to++;
  }
  return out;
}

function begin(bg: Background, link: RelayLink, room: string, me: string, peer: string, offer: boolean): void {
  const d = direct(bg);
  const pair = connKey(room, peer);
  const n = (d.begun.get(pair) ?? 0) + 1;
  d.begun.set(pair, n);
  const key = n === 1 ? pair : `${pair}|${n}`;
  const c: DirectConn = { key, pair, room, peer, me, relayUrl: link.url, open: false, openedAt: null, signals: 0, timer: undefined,
    received: { tokens: DIRECT_BURST, refilledAt: performance.now() }, sent: { tokens: SEND_BURST, refilledAt: performance.now() } };
  c.timer = setTimeout(() => bg.run(async (b) => {
    if (b.direct?.conns.get(pair) !== c || c.open) return;
    close(b, c);
    ended(b, c); // rule 4, or rule 10's next retry
    releaseIfIdle(b);
  }), DIRECT_CONNECT_TIMEOUT_MS);
  d.conns.set(pair, c);
  d.doc.send({ type: 'open-conn', conn: key, offer, iceServers: iceServers(bg) });
}

function close(bg: Background, c: DirectConn): void {
  const d = direct(bg);
  clearTimeout(c.timer);
  if (d.conns.get(c.pair) !== c) return;
  d.conns.delete(c.pair);
  d.doc.send({ type: 'close-conn', conn: c.key });
  if (c.open) bg.refresh();
}

function releaseIfIdle(bg: Background): void {
  if (bg.direct && bg.direct.conns.size === 0) bg.direct.doc.release();
}

async function fromOffscreen(bg: Background, msg: OffscreenToBackground): Promise<void> {
  const d = direct(bg);
  if (msg.type === 'ready') return;
  // An attempt's id is its connKey, then `|n` (begin): the conn is that pair's only if it is this attempt.
  const c = d.conns.get(msg.conn.split('|').slice(0, 2).join('|'));
  if (!c || c.key !== msg.conn) return;
  switch (msg.type) {
    case 'local-description': return sendSignal(bg, c, msg.kind, msg.sdp);
    case 'local-candidate': return sendSignal(bg, c, 'candidate', msg.candidate);
    case 'channel-open':
      c.open = true;
      c.openedAt = Date.now();
      d.problem = null;
      clearTimeout(c.timer);
      bg.refresh();
      return;
    case 'channel-closed':
      clearTimeout(c.timer);
      d.conns.delete(c.pair);
      ended(bg, c);
      bg.refresh();
      releaseIfIdle(bg);
      return;
    case 'conn-failed':
      // The browser would not make it (the STUN/TURN setting, most likely): given up as for a
      // timeout, and Settings says why.
      d.problem = msg.why;
      d.gaveUp.add(c.pair);
      close(bg, c);
      bg.refresh();
      releaseIfIdle(bg);
      return;
    case 'channel-message': {
      if (!c.open || !takeToken(c.received, DIRECT_BURST, DIRECT_PER_SEC)) return;
      const link = bg.links.get(c.relayUrl);
      const got = await receiveDirect(bg, c.room, msg.data, link ? { link, peer: c.peer } : undefined);
      // Confirmed to its sender (direct-only.ts rule 7), within its budget like anything we send.
      if (got && c.open && d.conns.get(c.pair) === c && takeToken(c.sent, SEND_BURST, SEND_PER_SEC)) {
        d.doc.send({ type: 'send', conn: c.key, data: JSON.stringify({ t: 'got', room: c.room, id: got }) });
      }
      return;
    }
  }
}

async function sendSignal(bg: Background, c: DirectConn, kind: SignalKind, data: string): Promise<void> {
  const link = bg.links.get(c.relayUrl);
  const keys = await roomKeys(bg, c.room);
  if (!link?.socket.isOpen || !keys || c.signals >= MAX_SIGNALS_PER_CONN) return;
  c.signals++;
  const body = await sealSignal(keys, { v: 1, kind, from: c.me, to: c.peer, at: Date.now(), data });
  link.socket.send({ type: 'SIGNAL', room: c.room, to: c.peer, kind, body });
}

/** Rule 8: the document went (closed, crashed): every connection with it. */
function documentGone(bg: Background): void {
  const d = direct(bg);
  const hadOpen = [...d.conns.values()].some((c) => c.open);
  const cut = [...d.conns.values()];
  for (const c of cut) clearTimeout(c.timer);
  d.conns.clear();
  for (const c of cut) ended(bg, c, true);
  if (hadOpen) bg.refresh();
}

/** Rule 5: the room is left; its connections and retries go (leave-room.ts). */
export function directRoomLeft(bg: Background, room: string): void {
  const d = bg.direct;
  if (!d) return;
  for (const c of [...d.conns.values()]) if (c.room === room) close(bg, c);
  forgetRetries(d, room, () => false);
  for (const set of [d.gaveUp, d.offerAt, d.begun]) for (const key of [...set.keys()]) if (key.startsWith(`${room}|`)) set.delete(key);
  releaseIfIdle(bg);
}

/** Rule 10: drops the retries of `room` whose peer `keep` does not keep, with their timers. */
function forgetRetries(d: DirectState, room: string, keep: (peer: string) => boolean): void {
  for (const [key, r] of [...d.retries]) {
    if (!key.startsWith(`${room}|`) || keep(key.slice(room.length + 1))) continue;
    clearTimeout(r.timer);
    d.retries.delete(key);
  }
}

/**
 * Rules 4 and 10: attempt `c` is over (already out of `conns`): died (it had opened, or `cut` by
 * the document going) or failed. The offering side tries again if the pair ever opened; else,
 * or past MAX_DIRECT_RETRIES, the member is given up.
 */
function ended(bg: Background, c: DirectConn, cut = false, now = Date.now()): void {
  const d = direct(bg);
  if (!(c.me < c.peer)) {
    // The answering side waits for the offerer's next offer (rule 2), which clears this.
    if (c.openedAt === null && !cut) d.gaveUp.add(c.pair);
    return;
  }
  let r = d.retries.get(c.pair);
  if (c.openedAt !== null || cut) {
    r ??= { n: 0, timer: undefined };
    d.retries.set(c.pair, r);
    if (c.openedAt !== null && now - c.openedAt >= DIRECT_STABLE_MS) r.n = 0;
  }
  if (!r || r.n >= MAX_DIRECT_RETRIES) {
    d.retries.delete(c.pair);
    d.gaveUp.add(c.pair);
    return;
  }
  clearTimeout(r.timer);
  const retry = r;
  retry.timer = setTimeout(() => bg.run(async (b) => {
    retry.timer = undefined;
    if (b.direct?.retries.get(c.pair) !== retry || !enabled(b)) return;
    const link = b.links.get(c.relayUrl);
    const presence = link?.presence.get(c.room);
    if (!link || presence?.me !== c.me || !presence.peers.has(c.peer) || b.direct.conns.has(c.pair) || b.direct.gaveUp.has(c.pair)) return;
    begin(b, link, c.room, c.me, c.peer, true);
  }), reconnectDelay(r.n, Math.random, DIRECT_RETRY_BASE_MS, DIRECT_RETRY_MAX_MS));
  r.n++;
}
