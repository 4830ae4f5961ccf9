import { randomBytes } from 'node:crypto';
import { onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { decodeRelayFrame } from '../../src/shared/codec.ts';
import { newMessageId } from '../../src/shared/message-id.ts';
import type { ClientToRelay, RelayToClient } from '../../src/shared/protocol.ts';

/**
 * One room member as a client sees the protocol (docs/protocol.md), whatever relay instance it is
 * connected to: it keeps an outbox of unacked messages and resends them after a reconnect or an
 * INTERNAL answer (as the extension does), joins with `since` = the last seq it received, starts
 * over with `since` 0 when the room's epoch changes, and records everything it was shown so a test
 * can check, at the end, that every message reached it exactly once and in seq order.
 *
 * Checks made as frames arrive (the order a user would see them) are recorded in `violations`
 * rather than thrown, so a test reports all of them at once.
 */

/** What happened in one epoch of the room, for one member. */
export interface EpochLog {
  readonly epoch: number;
  /** CHATMSGs shown, in arrival order. */
  readonly shown: { seq: number; id: string; from: string }[];
  /** Own messages acked in this epoch: id -> seq. */
  readonly acked: Map<string, number>;
  readonly gaps: { from: number; to: number }[];
}

/** A delay before an outbox resend after INTERNAL; the extension waits a second, tests need less. */
const RESEND_AFTER_MS = 200;
const WAIT_MS = 20_000;

type Listener = () => void;
/** Every member wakes every waiter on every frame: conditions span members. */
const listeners = new Set<Listener>();
const notify = (): void => {
  for (const listener of [...listeners]) listener();
};

/**
 * Resolves once `condition` holds, checked after every frame any member receives; rejects at once
 * when `failed` names a problem (no point waiting out the timeout for a broken stream).
 */
export function until(condition: () => boolean, what: string | (() => string), timeoutMs = WAIT_MS, failed: () => string | undefined = () => undefined): Promise<void> {
  if (condition()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const listener = (): void => {
      const problem = failed();
      if (problem !== undefined) {
        listeners.delete(listener);
        clearTimeout(timer);
        reject(new Error(`${typeof what === 'string' ? what : what()}: ${problem}`));
        return;
      }
      if (!condition()) return;
      listeners.delete(listener);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      listeners.delete(listener);
      reject(new Error(`not within ${timeoutMs} ms: ${typeof what === 'string' ? what : what()}`));
    }, timeoutMs);
    listeners.add(listener);
  });
}

export class Member {
  socket: WebSocket | null = null;
  url = '';
  peer = '';
  /** Epochs in the order this member saw them; the last is the current one. */
  readonly epochs: EpochLog[] = [];
  /** Unacked messages: id -> body, in send order. */
  readonly outbox = new Map<string, string>();
  /** Every message this member wrote: id -> body. */
  readonly written = new Map<string, string>();
  readonly violations: string[] = [];
  readonly joined = new Set<string>();
  /** LEFT frames by peer, counted: a LEFT told twice is a defect the audit must see. */
  readonly left = new Map<string, number>();
  /** Unasked ROOM frames (not answering a join of ours), with their epoch. */
  readonly unaskedRooms: number[] = [];
  internalErrors = 0;
  synced = false;
  /** After an epoch change: frames up to the ROOM answering our join with since 0 belong to nothing. */
  #discarding = false;
  #joinsInFlight = 0;
  #resendTimer: NodeJS.Timeout | undefined;

  constructor(readonly name: string, readonly room: string) {
    onTestFinished(() => this.disconnect());
  }

  get current(): EpochLog | undefined {
    return this.epochs.at(-1);
  }

  /** The last seq shown in the current epoch: what a rejoin asks to be replayed after. */
  get lastSeq(): number {
    return this.current?.shown.at(-1)?.seq ?? 0;
  }

  get connected(): boolean {
    return this.socket !== null && this.socket.readyState === WebSocket.OPEN;
  }

  /** Connects to `url` and joins the room with since = lastSeq; resolves at SYNCED, outbox resent. */
  async connect(url: string): Promise<void> {
    this.disconnect();
    this.url = url;
    this.synced = false;
    this.#discarding = false;
    this.#joinsInFlight = 0;
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.on('error', () => {});
    this.socket = socket;
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('close', (code) => reject(new Error(`${this.name}: ${url} closed with ${code} before opening`)));
    });
    socket.on('message', (data) => {
      const decoded = decodeRelayFrame(String(data));
      if (!decoded.ok) this.violations.push(`${this.name}: invalid frame ${String(data).slice(0, 100)}`);
      else this.#receive(decoded.value);
      notify();
    });
    socket.on('close', () => {
      if (this.socket === socket) this.synced = false;
      notify();
    });
    this.#join(this.lastSeq);
    await until(() => this.synced, `${this.name} synced on ${url}`);
  }

  /** Drops the connection without LEAVE, as a closed laptop or a killed relay does. */
  disconnect(): void {
    clearTimeout(this.#resendTimer);
    this.socket?.terminate();
    this.socket = null;
    this.synced = false;
  }

  /** Queues a message in the outbox and sends it now if synced; returns its id. */
  send(body = randomBytes(24).toString('base64url')): string {
    const id = newMessageId();
    this.outbox.set(id, body);
    this.written.set(id, body);
    if (this.synced) this.#send({ type: 'CHATMSG', room: this.room, id, body });
    return id;
  }

  /**
   * Plays an ACK that never arrived (the instance died between storing and answering): the
   * message goes back into the outbox, to be resent, and its seq is forgotten.
   */
  loseAck(id: string): void {
    const body = this.written.get(id);
    if (body === undefined) throw new Error(`${this.name} never wrote ${id}`);
    for (const log of this.epochs) log.acked.delete(id);
    this.outbox.set(id, body);
  }

  #send(frame: ClientToRelay): void {
    if (this.connected) this.socket!.send(JSON.stringify(frame));
  }

  #join(since: number): void {
    this.#joinsInFlight++;
    this.#send({ type: 'GETROOM', room: this.room, since });
  }

  #resendOutbox(): void {
    for (const [id, body] of this.outbox) this.#send({ type: 'CHATMSG', room: this.room, id, body });
  }

  #receive(frame: RelayToClient): void {
    switch (frame.type) {
      case 'ROOM': {
        const asked = this.#joinsInFlight > 0;
        if (asked) this.#joinsInFlight--;
        else this.unaskedRooms.push(frame.epoch);
        this.peer = frame.peer;
        if (this.#discarding && asked && this.#joinsInFlight === 0) this.#discarding = false;
        const known = this.current?.epoch;
        if (known === undefined || frame.epoch !== known) {
          this.epochs.push({ epoch: frame.epoch, shown: [], acked: new Map(), gaps: [] });
          if (known !== undefined) {
            // The relay lost the room: our seqs mean nothing here, so everything again from 0.
            this.synced = false;
            this.#discarding = true;
            this.#join(0);
          }
        }
        return;
      }
      case 'SYNCED':
        if (this.#discarding) return;
        this.synced = true;
        this.#resendOutbox();
        return;
      case 'CHATMSG': {
        if (this.#discarding) return;
        const log = this.current!;
        const last = log.shown.at(-1)?.seq ?? 0;
        if (frame.seq <= last) this.violations.push(`${this.name}: seq ${frame.seq} shown after ${last} (epoch ${log.epoch})`);
        log.shown.push({ seq: frame.seq, id: frame.id, from: frame.from });
        return;
      }
      case 'GAP':
        if (!this.#discarding) this.current!.gaps.push({ from: frame.from, to: frame.to });
        return;
      case 'ACK': {
        const log = this.current!;
        const before = log.acked.get(frame.id);
        if (before !== undefined && before !== frame.seq) this.violations.push(`${this.name}: ${frame.id} acked as ${before} then ${frame.seq}`);
        log.acked.set(frame.id, frame.seq);
        this.outbox.delete(frame.id);
        return;
      }
      case 'ERROR':
        if (frame.code === 'INTERNAL' && frame.ref === 'CHATMSG') {
          // As the extension's outbox: everything unacked again, a moment later.
          this.internalErrors++;
          clearTimeout(this.#resendTimer);
          this.#resendTimer = setTimeout(() => this.#resendOutbox(), RESEND_AFTER_MS);
          return;
        }
        if (frame.code === 'INTERNAL' && (frame.ref === 'GETROOM' || frame.ref === 'ENTERROOM')) {
          this.internalErrors++;
          this.#joinsInFlight = Math.max(0, this.#joinsInFlight - 1);
          setTimeout(() => this.#join(this.lastSeq), RESEND_AFTER_MS);
          return;
        }
        this.violations.push(`${this.name}: ERROR ${frame.code} ${frame.message} (ref ${frame.ref ?? '-'})`);
        return;
      case 'JOINED':
        this.joined.add(frame.peer);
        return;
      case 'LEFT':
        this.left.set(frame.peer, (this.left.get(frame.peer) ?? 0) + 1);
        return;
      default:
        return;
    }
  }
}

/** Seqs 1..head of the members' current epoch that a member has: shown, its own acked, or in a GAP. */
function covered(member: Member): Set<number> {
  const log = member.current;
  const seqs = new Set<number>();
  if (log === undefined) return seqs;
  for (const m of log.shown) seqs.add(m.seq);
  for (const seq of log.acked.values()) seqs.add(seq);
  for (const gap of log.gaps) for (let s = gap.from; s <= gap.to; s++) seqs.add(s);
  return seqs;
}

/** The highest seq any member knows of in the epoch they all share now. */
function head(members: readonly Member[]): number {
  let max = 0;
  for (const member of members) {
    for (const m of member.current?.shown ?? []) max = Math.max(max, m.seq);
    for (const seq of member.current?.acked.values() ?? []) max = Math.max(max, seq);
  }
  return max;
}

/** Every outbox is empty and every member has every seq up to the head, in one shared epoch. */
export function converged(members: readonly Member[]): boolean {
  const epoch = members[0]!.current?.epoch;
  if (members.some((m) => !m.synced || m.outbox.size > 0 || m.current?.epoch !== epoch)) return false;
  const top = head(members);
  return members.every((member) => covered(member).size >= top && [...covered(member)].every((s) => s <= top));
}

export function untilConverged(members: readonly Member[], what: string): Promise<void> {
  const violations = (): string | undefined => {
    const all = members.flatMap((m) => m.violations);
    return all.length > 0 ? all.join('; ') : undefined;
  };
  return until(() => converged(members), () => `${what}: ${describe(members)}`, WAIT_MS, violations);
}

function describe(members: readonly Member[]): string {
  const top = head(members);
  // Which seqs each member lacks, and the top seq's id: a count alone does not say which message is missing.
  const missing = (m: Member): string => {
    const have = covered(m);
    const lacking = Array.from({ length: top }, (_, i) => i + 1).filter((s) => !have.has(s));
    return lacking.length === 0 ? '' : `, missing seqs ${lacking.join(',')}`;
  };
  return `head ${top}: ` + members.map((m) => `${m.name}(${m.synced ? 'synced' : 'not synced'}, epoch ${m.current?.epoch}, outbox ${m.outbox.size}, shown ${m.current?.shown.length}, acked ${m.current?.acked.size}${missing(m)})`).join('; ');
}

/**
 * What the members were shown in their current epoch, checked against the protocol: per member
 * every message of the others exactly once, in seq order, with no hole that is not a GAP; one id per
 * seq across all members; no seq for two ids. Returns problems, empty when all is well.
 */
export function audit(members: readonly Member[]): string[] {
  const problems = members.flatMap((m) => m.violations);
  const top = head(members);
  const idAt = new Map<number, string>();
  const seqOf = new Map<string, number>();
  const note = (seq: number, id: string, who: string): void => {
    const known = idAt.get(seq);
    if (known !== undefined && known !== id) problems.push(`${who}: seq ${seq} is ${id}, elsewhere ${known}`);
    idAt.set(seq, id);
    const knownSeq = seqOf.get(id);
    if (knownSeq !== undefined && knownSeq !== seq) problems.push(`${who}: ${id} has seq ${seq}, elsewhere ${knownSeq}`);
    seqOf.set(id, seq);
  };
  for (const member of members) {
    const log = member.current!;
    for (const m of log.shown) note(m.seq, m.id, member.name);
    for (const [id, seq] of log.acked) note(seq, id, member.name);
    const shownSeqs = log.shown.map((m) => m.seq);
    if (new Set(shownSeqs).size !== shownSeqs.length) problems.push(`${member.name}: a message shown twice`);
    const have = covered(member);
    const missing = [];
    for (let s = 1; s <= top; s++) if (!have.has(s)) missing.push(s);
    if (missing.length > 0) problems.push(`${member.name}: never shown seqs ${missing.join(',')} of 1..${top}`);
  }
  return problems;
}

/** Ids each member had acked across all epochs. */
export function ackedIds(member: Member): Set<string> {
  return new Set(member.epochs.flatMap((log) => [...log.acked.keys()]));
}
