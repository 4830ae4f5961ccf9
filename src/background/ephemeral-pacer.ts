import { EPHEMERAL_FRESH_MS } from '../shared/ephemeral.ts';
import type { RelayLink } from './relay-link.ts';

// Our EPHEMERAL frames keep within the relay's budget for them instead of being dropped over it
// (docs/protocol.md, "Ephemeral broadcasts": EPHEMERAL_PER_SEC in bursts of EPHEMERAL_BURST per
// connection, over it dropped and answered EPHEMERAL_RATE_LIMITED). A connection that comes back
// in many rooms at once says `here` and `got` in each, which is more than one burst. The rules:
//  1. Each connection of a link has a bucket a little smaller and slower than the relay's default
//     one (the relay measures arrivals, which jitter); a frame that finds a token goes at once.
//  2. One that does not waits, one per (room, group): the newest replaces the one waiting (a later
//     `here` or `got` says all the earlier one did; `typing` and `stopped` are one group, the
//     last state wins). A `here` that asks the others to answer is a group of its own, so an
//     answer or a repeat cannot take its place. So at most 4 per room wait, in the order their
//     group first waited.
//  3. They go as tokens come back, sealed only then; one that waited longer than WAIT_LIMIT_MS is
//     dropped, stale before it arrived (presence repeats itself: HERE_REPEAT_MS).
//  4. A new connection (resetConnection) drops what waits: presence starts again from its ROOM.

/** The relay's defaults (docs/protocol.md, configuration table): a relay set lower drops the excess, which is absorbed. */
export const RELAY_EPHEMERAL_PER_SEC = 4;
export const RELAY_EPHEMERAL_BURST = 40;
/** Rule 1's margin. */
export const PACER_PER_SEC = RELAY_EPHEMERAL_PER_SEC * 0.9;
export const PACER_BURST = RELAY_EPHEMERAL_BURST - 4;
/** Rule 3: half the freshness window, so what goes is still fresh where it arrives. */
export const WAIT_LIMIT_MS = EPHEMERAL_FRESH_MS / 2;

export type EphemeralGroup = 'ask' | 'here' | 'got' | 'typing';

interface Waiting {
  since: number;
  send: () => Promise<void>;
}

interface Pacer {
  tokens: number;
  refilledAt: number;
  /** By `${room}|${group}`, in the order each key first waited (a Map keeps insertion order). */
  waiting: Map<string, Waiting>;
  timer: ReturnType<typeof setTimeout> | undefined;
}

const pacers = new WeakMap<RelayLink, Pacer>();

function pacerOf(link: RelayLink, now: number): Pacer {
  let p = pacers.get(link);
  if (!p) pacers.set(link, (p = { tokens: PACER_BURST, refilledAt: now, waiting: new Map(), timer: undefined }));
  p.tokens = Math.min(PACER_BURST, p.tokens + (Math.max(0, now - p.refilledAt) * PACER_PER_SEC) / 1000);
  p.refilledAt = Math.max(p.refilledAt, now);
  return p;
}

/**
 * Sends (runs `send`) now if the budget allows and nothing waits, else keeps it as the one waiting
 * for (room, group) (rule 2). `run` runs a drained send in the background's task queue.
 */
export async function paceEphemeral(
  link: RelayLink, room: string, group: EphemeralGroup, send: () => Promise<void>,
  run: (task: () => Promise<void>) => void, now = performance.now(),
): Promise<void> {
  const p = pacerOf(link, now);
  const key = `${room}|${group}`;
  if (p.waiting.size === 0 && p.tokens >= 1) {
    p.tokens -= 1;
    return send();
  }
  // Rule 2: a Map's set keeps an existing key's place; the newest body's age is what counts (rule 3).
  p.waiting.set(key, { since: now, send });
  schedule(link, p, run);
}

function schedule(link: RelayLink, p: Pacer, run: (task: () => Promise<void>) => void): void {
  if (p.timer !== undefined || p.waiting.size === 0) return;
  const wait = Math.max(0, Math.ceil(((1 - p.tokens) * 1000) / PACER_PER_SEC));
  p.timer = setTimeout(() => {
    p.timer = undefined;
    run(() => drain(link, run));
  }, wait);
}

/** Rule 3: what the budget allows now, oldest first. */
export async function drain(link: RelayLink, run: (task: () => Promise<void>) => void, now = performance.now()): Promise<void> {
  if (pacers.get(link) === undefined) return;
  const p = pacerOf(link, now);
  for (const [key, w] of p.waiting) {
    if (now - w.since > WAIT_LIMIT_MS) {
      p.waiting.delete(key);
      continue;
    }
    if (p.tokens < 1) break;
    p.tokens -= 1;
    p.waiting.delete(key);
    await w.send();
  }
  schedule(link, p, run);
}

/** Rule 4. */
export function resetPacer(link: RelayLink): void {
  const p = pacers.get(link);
  if (p) clearTimeout(p.timer);
  pacers.delete(link);
}

/** How many frames wait on `link` (tests, and the bench). */
export function waitingEphemeral(link: RelayLink): number {
  return pacers.get(link)?.waiting.size ?? 0;
}
