import { afterEach, describe, expect, it } from 'vitest';
import { drain, paceEphemeral, RELAY_EPHEMERAL_BURST, RELAY_EPHEMERAL_PER_SEC, resetPacer, waitingEphemeral, WAIT_LIMIT_MS } from '../../src/background/ephemeral-pacer.ts';
import { DEFAULT_CONFIG } from '../../relay/config.ts';
import type { RelayLink } from '../../src/background/relay-link.ts';
import { TokenBucket } from '../../relay/token-bucket.ts';

// docs/protocol.md, "Ephemeral broadcasts" and the configuration table: the relay lets a connection
// send EPHEMERAL_PER_SEC = 4 a second in bursts of EPHEMERAL_BURST = 40, and drops the rest.
const RELAY_PER_SEC = 4;
const RELAY_BURST = 40;
/** docs/protocol.md: MAX_ROOMS_PER_CONNECTION's default. */
const ROOMS = 32;

const link = {} as RelayLink;
const noRun = (): void => {};
afterEach(() => resetPacer(link));

/** What went, and when (the relay's clock is ours here: loopback). */
function recorder() {
  const sent: { what: string; at: number }[] = [];
  let clock = 0;
  return { sent, at: (t: number) => { clock = t; }, send: (what: string) => async () => { sent.push({ what, at: clock }); } };
}

describe('the ephemeral pacer', () => {
  it('paces for the budget the documented defaults give, which the relay has', () => {
    expect([RELAY_EPHEMERAL_PER_SEC, RELAY_EPHEMERAL_BURST]).toEqual([RELAY_PER_SEC, RELAY_BURST]);
    expect([DEFAULT_CONFIG.ephemeralPerSec, DEFAULT_CONFIG.ephemeralBurst]).toEqual([RELAY_PER_SEC, RELAY_BURST]);
  });

  it('a connection back in every room at once says here and got in each, and the relay drops none of it', async () => {
    const r = recorder();
    for (let i = 0; i < ROOMS; i++) {
      await paceEphemeral(link, `room${i}`, 'here', r.send(`here ${i}`), noRun, 0);
      await paceEphemeral(link, `room${i}`, 'got', r.send(`got ${i}`), noRun, 0);
    }
    expect(r.sent.length).toBeLessThanOrEqual(RELAY_BURST);
    // Drained as a timer would, every 50 ms, until nothing waits.
    for (let t = 50; waitingEphemeral(link) > 0; t += 50) {
      r.at(t);
      await drain(link, noRun, t);
      expect(t).toBeLessThan(WAIT_LIMIT_MS);
    }
    const what = r.sent.map((s) => s.what);
    expect(new Set(what).size).toBe(what.length);
    expect(what.length).toBe(2 * ROOMS);
    const relay = new TokenBucket(RELAY_PER_SEC, RELAY_BURST, 0);
    for (const s of r.sent) expect(relay.take(s.at), `${s.what} at ${s.at} ms`).toBe(true);
  });

  it('keeps one waiting per room and kind: the newest, in the place the first took', async () => {
    const r = recorder();
    for (let i = 0; i < 60; i++) await paceEphemeral(link, `room${i}`, 'got', r.send(`got ${i}`), noRun, 0);
    const first = r.sent.length;
    await paceEphemeral(link, 'roomA', 'typing', r.send('typing A'), noRun, 0);
    await paceEphemeral(link, 'roomB', 'typing', r.send('typing B'), noRun, 0);
    await paceEphemeral(link, 'roomA', 'typing', r.send('stopped A'), noRun, 0);
    await drain(link, noRun, 10_000);
    const later = r.sent.slice(first).map((s) => s.what);
    expect(later.filter((w) => w.includes(' A'))).toEqual(['stopped A']);
    expect(later.indexOf('stopped A')).toBeLessThan(later.indexOf('typing B'));
  });

  it('drops what waited too long to be fresh where it arrives, and what a new connection no longer needs', async () => {
    const r = recorder();
    for (let i = 0; i < RELAY_BURST + 5; i++) await paceEphemeral(link, `room${i}`, 'here', r.send(`here ${i}`), noRun, 0);
    expect(waitingEphemeral(link)).toBeGreaterThan(0);
    const before = r.sent.length;
    await drain(link, noRun, WAIT_LIMIT_MS + 1);
    expect(r.sent.length).toBe(before);
    expect(waitingEphemeral(link)).toBe(0);

    await paceEphemeral(link, 'late', 'here', r.send('late'), noRun, WAIT_LIMIT_MS + 1);
    for (let i = 0; i < RELAY_BURST; i++) await paceEphemeral(link, `again${i}`, 'here', r.send(`again ${i}`), noRun, WAIT_LIMIT_MS + 1);
    expect(waitingEphemeral(link)).toBeGreaterThan(0);
    resetPacer(link);
    expect(waitingEphemeral(link)).toBe(0);
  });
});
