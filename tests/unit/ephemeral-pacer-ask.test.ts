import { afterEach, describe, expect, it } from 'vitest';
import { handleRelayFrame } from '../../src/background/relay-frames/index.ts';
import { drain, resetPacer, waitingEphemeral, WAIT_LIMIT_MS } from '../../src/background/ephemeral-pacer.ts';
import { openEphemeral, sealEphemeral, signedHere, type Ephemeral } from '../../src/shared/ephemeral.ts';
import { newSigningKeys, publicKeyText } from '../../src/shared/identity.ts';
import { backgroundFixture, type Fixture } from './background-fixture.ts';

// presence.ts rule 3 (docs/protocol.md "Ephemeral broadcasts"): a newcomer says `here`
// with ask, and every member that hears an ask answers once with its own `here`. The pacer
// (ephemeral-pacer.ts rule 2) keeps one `here` waiting per room, the newest replacing it, on the
// ground that "a later `here` says all the earlier one did". It does not when the earlier one
// asked: our answer to someone else's ask (ask: false) replaces our own waiting ask, which then
// never goes, and nobody in that room answers us: its members stay nameless (no nickname, not
// verified) on our side until their next periodic `here`, up to HERE_REPEAT_MS later.
//
// When: a relay restart. Every client comes back in all its rooms at once, so our asks beyond the
// pacer's burst wait, while the other members' asks arrive and are answered.

const ME = 'pAAAAAAAAAAAAAAAA';
const ANA = 'pBBBBBBBBBBBBBBBB';
const ROOMS = 40; // over the pacer's burst of 36: the last rooms' `here` waits

let f: Fixture | undefined;
afterEach(() => { if (f) resetPacer(f.link); });

async function sentIn(fx: Fixture, roomId: string): Promise<Ephemeral[]> {
  const keys = fx.bg.keys.get(roomId)!;
  const out: Ephemeral[] = [];
  for (const frame of fx.sent) {
    if (frame.type !== 'EPHEMERAL' || frame.room !== roomId) continue;
    const body = await openEphemeral(keys, frame.body, Date.now());
    if (body) out.push(body);
  }
  return out;
}

describe('the ephemeral pacer and a newcomer\'s ask', () => {
  it('our own waiting `here` with ask still goes when we answer another member\'s ask in that room meanwhile', async () => {
    f = await backgroundFixture();
    const rooms: string[] = [f.keys.roomId];
    for (let i = 1; i < ROOMS; i++) rooms.push(await f.storedRoom());
    // Back in every room at once (a relay restart): ROOM then SYNCED in each, each says `here` with ask.
    for (const room of rooms) {
      await handleRelayFrame(f.bg, f.link, { type: 'ROOM', room, peer: ME, members: [ANA], head: 0, epoch: 1, created: false });
      await handleRelayFrame(f.bg, f.link, { type: 'SYNCED', room, head: 0 });
    }
    const last = rooms.at(-1)!;
    expect(waitingEphemeral(f.link)).toBeGreaterThan(0);
    expect(await sentIn(f, last)).toEqual([]); // ours waits in the pacer

    // Ana came back too: her `here` with ask reaches us, and we answer it (ask: false).
    const ana = await newSigningKeys();
    const { peer: _p, ...anaHere } = await signedHere({ privateKey: ana.privateKey, publicKey: await publicKeyText(ana.publicKey) }, last, ANA, 'Ana', true, Date.now());
    const body = await sealEphemeral(f.bg.keys.get(last)!, { ...anaHere, peer: ANA } as Ephemeral);
    await handleRelayFrame(f.bg, f.link, { type: 'EPHEMERAL', room: last, from: ANA, body });

    // The budget refills: everything waiting goes, well within the freshness window.
    const start = performance.now();
    for (let t = 500; waitingEphemeral(f.link) > 0; t += 500) {
      expect(t).toBeLessThan(WAIT_LIMIT_MS);
      await drain(f.link, () => {}, start + t);
    }
    const heres = (await sentIn(f, last)).filter((e) => e.k === 'here');
    // Ana must hear our ask, or she never answers and stays nameless here until her next repeat.
    expect(heres.some((h) => h.k === 'here' && h.ask)).toBe(true);
  });
});
