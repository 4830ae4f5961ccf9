import { afterEach, describe, expect, it } from 'vitest';
import { directProblem, pathOf } from '../../src/background/direct-path.ts';
import { directConnections } from '../../src/offscreen/peer-connections.ts';
import type { OffscreenToBackground } from '../../src/shared/offscreen-messages.ts';
import { backgroundFixture } from './background-fixture.ts';
import { answerOffer } from './direct-fixture.ts';

// docs/security.md "Direct connections": should the offscreen document fail to open a connection,
// it tells the background, which gives that member up as for a timeout and says why in words.

const A = 'p0000000000000001';
const B = 'p0000000000000002';

afterEach(() => {
  delete (globalThis as { chrome?: unknown }).chrome;
  delete (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection;
});

describe('a connection the browser refuses to make', () => {
  it('is reported by the offscreen document with the browser\'s words', async () => {
    (globalThis as { RTCPeerConnection?: unknown }).RTCPeerConnection = class {
      constructor() {
        throw Object.assign(new Error('Both username and credential are required when the URL scheme is "turn" or "turns".'), { name: 'InvalidAccessError' });
      }
    };
    const posted: OffscreenToBackground[] = [];
    const conns = directConnections((m) => posted.push(m));
    conns.handle({ type: 'open-conn', conn: 'r|p1', offer: true, iceServers: [{ urls: 'turn:x.example' }] });
    await new Promise((r) => setTimeout(r, 0));
    expect(posted).toEqual([{ type: 'conn-failed', conn: 'r|p1', why: expect.stringMatching(/^InvalidAccessError: Both username/) }]);
  });

  it('leaves that member relayed and Settings says why', async () => {
    const f = await backgroundFixture();
    const room = f.keys.roomId;
    const { report } = await answerOffer(f, A, B);
    report({ type: 'conn-failed', conn: `${room}|${A}`, why: 'InvalidAccessError: Both username and credential are required' });
    await f.settled();
    expect(pathOf(f.bg, room, A)).toBe('relayed');
    expect(f.bg.direct?.conns.size).toBe(0);
    expect(directProblem(f.bg).directProblem).toMatch(/refused to make a direct connection \(check the STUN\/TURN servers\): InvalidAccessError/);
  });
});
