import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { directEverywhere, directOnMembers, directRoomLeft, onSignal, pathOf } from '../../src/background/direct-path.ts';
import { presenceOnRoom } from '../../src/background/presence.ts';
import { onMembership } from '../../src/background/relay-frames/on-membership.ts';
import type { BackgroundToOffscreen } from '../../src/shared/offscreen-messages.ts';
import { sealSignal } from '../../src/shared/signal-seal.ts';
import { backgroundFixture, type Fixture } from './background-fixture.ts';
import { fakeDoc, type FakeDoc } from './direct-fixture.ts';

// A direct connection that dies is made again (docs/protocol.md "The direct path"). The expected
// numbers are the doc's: retry n waits a delay in [c/2, c], c = min(30 s, 1 s x 2^n); a retry not
// open within 15 s, or closed before it opened, is followed by the next; at most 8 retries in a row,
// then given up; a channel open 30 s before it died starts the count again; only the offering side
// (lower peer id) retries; the document going counts as died; LEFT, the room left or the setting off
// end the waiting. Only chrome.offscreen and the document's port are fakes.

const A = 'p0000000000000001'; // the lower id: offers
const B = 'p0000000000000002'; // the higher id: answers
const RETRY_CEILINGS_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000];
const CONNECT_TIMEOUT_MS = 15_000;
const STABLE_MS = 30_000;


// Only the timers and the clock: fake-indexeddb schedules its own work and must keep running.
beforeEach(() => { vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }); });
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  delete (globalThis as { chrome?: unknown }).chrome;
});


const opens = (doc: FakeDoc) => doc.told.filter((m): m is Extract<BackgroundToOffscreen, { type: 'open-conn' }> => m.type === 'open-conn');
const lastConn = (doc: FakeDoc): string => opens(doc).at(-1)!.conn;

/** Advances the clock by `ms` and lets what the timers started finish. */
async function after(f: Fixture, ms: number): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
  await f.settled();
}

/** We are A in the fixture's room with B, the setting on, and our channel to B open. */
async function offererWithOpenChannel(): Promise<{ f: Fixture; doc: FakeDoc; room: string }> {
  const f = await backgroundFixture();
  const doc = fakeDoc(f);
  const room = f.keys.roomId;
  f.bg.mem.settings = { ...f.bg.mem.settings, directConnections: true };
  presenceOnRoom(f.link, { type: 'ROOM', room, peer: A, members: [B], head: 0, epoch: 1, created: false });
  directOnMembers(f.bg, f.link, room);
  await after(f, 0);
  expect(opens(doc)).toHaveLength(1);
  expect(opens(doc)[0]!.offer).toBe(true);
  doc.report({ type: 'channel-open', conn: lastConn(doc) });
  await f.settled();
  expect(pathOf(f.bg, room, B)).toBe('direct');
  return { f, doc, room };
}

describe('a direct connection that died', () => {
  it('is relayed at once, and the offering side makes a new connection after 0.5 to 1 s', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { f, doc, room } = await offererWithOpenChannel();
    const first = lastConn(doc);
    doc.report({ type: 'channel-closed', conn: first });
    await f.settled();
    expect(pathOf(f.bg, room, B)).toBe('relayed');
    await after(f, 499);
    expect(opens(doc)).toHaveLength(1);
    await after(f, 1);
    expect(opens(doc)).toHaveLength(2);
    expect(opens(doc)[1]).toMatchObject({ offer: true });
    expect(lastConn(doc)).not.toBe(first);
    doc.report({ type: 'channel-open', conn: lastConn(doc) });
    await f.settled();
    expect(pathOf(f.bg, room, B)).toBe('direct');
  });

  for (const [name, random, share] of [['shortest', 0, 0.5], ['longest', 1 - 1e-9, 1]] as const) {
    it(`waits the ${name} delays of the doc between retries, and gives up after 8 in a row`, async () => {
      vi.spyOn(Math, 'random').mockReturnValue(random);
      const { f, doc, room } = await offererWithOpenChannel();
      doc.report({ type: 'channel-closed', conn: lastConn(doc) });
      await f.settled();
      for (const [n, ceiling] of RETRY_CEILINGS_MS.entries()) {
        const before = opens(doc).length;
        await after(f, ceiling * share - 1);
        expect(opens(doc), `retry ${n} too early`).toHaveLength(before);
        await after(f, 1);
        expect(opens(doc), `retry ${n}`).toHaveLength(before + 1);
        // Closed before it opened: a failed retry, followed by the next.
        doc.report({ type: 'channel-closed', conn: lastConn(doc) });
        await f.settled();
      }
      const made = opens(doc).length;
      await after(f, 10 * 60_000);
      expect(opens(doc)).toHaveLength(made);
      expect(pathOf(f.bg, room, B)).toBe('relayed');
      // Given up "until it joins again": a new peer id is a new attempt.
      const C = 'p0000000000000003';
      await onMembership(f.bg, f.link, { type: 'JOINED', room, peer: C });
      expect(opens(doc)).toHaveLength(made + 1);
    });
  }

  it('tries again after a retry that is not open within 15 s', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { f, doc } = await offererWithOpenChannel();
    doc.report({ type: 'channel-closed', conn: lastConn(doc) });
    await after(f, 500);
    expect(opens(doc)).toHaveLength(2);
    await after(f, CONNECT_TIMEOUT_MS);
    expect(doc.told.at(-1)).toEqual({ type: 'close-conn', conn: lastConn(doc) });
    await after(f, 1_000); // retry 1: 1 to 2 s
    expect(opens(doc)).toHaveLength(3);
  });

  it('starts the count again when the channel had stayed open 30 s', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { f, doc } = await offererWithOpenChannel();
    // Three quick deaths: retry 3 would wait 4 s.
    for (const wait of [500, 1_000, 2_000]) {
      doc.report({ type: 'channel-closed', conn: lastConn(doc) });
      await after(f, wait);
      doc.report({ type: 'channel-open', conn: lastConn(doc) });
      await f.settled();
    }
    await after(f, STABLE_MS);
    doc.report({ type: 'channel-closed', conn: lastConn(doc) });
    await f.settled();
    const before = opens(doc).length;
    await after(f, 500);
    expect(opens(doc)).toHaveLength(before + 1);
  });

  it('is not tried again by the answering side, which takes the newer offer', async () => {
    const f = await backgroundFixture();
    const doc = fakeDoc(f);
    const room = f.keys.roomId;
    f.bg.mem.settings = { ...f.bg.mem.settings, directConnections: true };
    presenceOnRoom(f.link, { type: 'ROOM', room, peer: B, members: [A], head: 0, epoch: 1, created: false });
    const offer = async () => {
      const body = await sealSignal(f.keys, { v: 1, kind: 'offer', from: A, to: B, at: Date.now(), data: 'v=0\r\n' });
      await onSignal(f.bg, f.link, { type: 'SIGNAL', room, from: A, kind: 'offer', body });
      await after(f, 0);
    };
    await offer();
    doc.report({ type: 'channel-open', conn: lastConn(doc) });
    await f.settled();
    doc.report({ type: 'channel-closed', conn: lastConn(doc) });
    await f.settled();
    expect(pathOf(f.bg, room, A)).toBe('relayed');
    await after(f, 2 * 60_000);
    expect(opens(doc)).toHaveLength(1);
    await offer();
    expect(opens(doc)).toHaveLength(2);
    expect(opens(doc)[1]).toMatchObject({ offer: false });
  });

  it('is not lost to a late report about the connection it replaced', async () => {
    // The answering side: the offerer's new offer replaces a connection whose close the document
    // reports just after (it was on its way over the port). The new connection must live on.
    const f = await backgroundFixture();
    const doc = fakeDoc(f);
    const room = f.keys.roomId;
    f.bg.mem.settings = { ...f.bg.mem.settings, directConnections: true };
    presenceOnRoom(f.link, { type: 'ROOM', room, peer: B, members: [A], head: 0, epoch: 1, created: false });
    const offer = async () => {
      const body = await sealSignal(f.keys, { v: 1, kind: 'offer', from: A, to: B, at: Date.now(), data: 'v=0\r\n' });
      await onSignal(f.bg, f.link, { type: 'SIGNAL', room, from: A, kind: 'offer', body });
      await after(f, 0);
    };
    await offer();
    const old = lastConn(doc);
    doc.report({ type: 'channel-open', conn: old });
    await f.settled();
    await after(f, 1_000);
    await offer();
    doc.report({ type: 'channel-closed', conn: old });
    doc.report({ type: 'channel-open', conn: lastConn(doc) });
    await f.settled();
    expect(pathOf(f.bg, room, A)).toBe('direct');
  });
});

describe('the offscreen document going', () => {
  it('counts as died for open connections and for attempts still being made: both are made again in a new document', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { f, doc, room } = await offererWithOpenChannel();
    const C = 'p0000000000000003';
    await onMembership(f.bg, f.link, { type: 'JOINED', room, peer: C }); // an attempt to C, not open yet
    expect(opens(doc)).toHaveLength(2);
    const createdBefore = doc.created();
    doc.gone();
    await f.settled();
    expect(pathOf(f.bg, room, B)).toBe('relayed');
    await after(f, 500);
    expect(doc.created()).toBe(createdBefore + 1);
    expect(opens(doc).slice(2).map((m) => m.conn.split('|')[1]).sort()).toEqual([B, C]);
  });
});

describe('a retry waiting out its delay', () => {
  for (const [what, end] of [
    ['the member leaving', (f: Fixture, room: string) => onMembership(f.bg, f.link, { type: 'LEFT', room, peer: B })],
    ['the room left', async (f: Fixture, room: string) => directRoomLeft(f.bg, room)],
    ['the setting turned off', async (f: Fixture) => {
      f.bg.mem.settings = { ...f.bg.mem.settings, directConnections: false };
      directEverywhere(f.bg);
    }],
  ] as const) {
    it(`ends with ${what}`, async () => {
      vi.spyOn(Math, 'random').mockReturnValue(0);
      const { f, doc, room } = await offererWithOpenChannel();
      doc.report({ type: 'channel-closed', conn: lastConn(doc) });
      await f.settled();
      await end(f, room);
      await after(f, 2 * 60_000);
      expect(opens(doc)).toHaveLength(1);
    });
  }

  it('is not hurried by another member joining', async () => {
    vi.spyOn(Math, 'random').mockReturnValue(0);
    const { f, doc, room } = await offererWithOpenChannel();
    doc.report({ type: 'channel-closed', conn: lastConn(doc) });
    await f.settled();
    await onMembership(f.bg, f.link, { type: 'JOINED', room, peer: 'p0000000000000003' });
    await after(f, 0);
    expect(opens(doc).map((m) => m.conn.split('|')[1])).toEqual([B, 'p0000000000000003']);
    await after(f, 500);
    expect(opens(doc).map((m) => m.conn.split('|')[1])).toEqual([B, 'p0000000000000003', B]);
  });
});
