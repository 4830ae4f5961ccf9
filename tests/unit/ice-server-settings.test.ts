import { describe, expect, it } from 'vitest';
import { checkIceServers, checkSettings, iceServerLines, parseIceServerLines } from '../../src/shared/settings.ts';

// Expected answers from docs/security.md, "Direct connections (WebRTC), off by default".

describe('the STUN/TURN servers setting', () => {
  it('is empty and direct connections off unless set', () => {
    const s = checkSettings({ nickname: 'Ana', relayUrl: 'ws://127.0.0.1:1' });
    expect(s.ok && s.value.directConnections).toBeFalsy();
    expect(s.ok && s.value.iceServers).toBeUndefined();
  });

  it('keeps "Direct connections" when ticked', () => {
    expect(checkSettings({ nickname: 'Ana', relayUrl: 'ws://127.0.0.1:1', directConnections: true })).toMatchObject({ ok: true, value: { directConnections: true } });
  });

  it('takes stun:, stuns:, turn: and turns: addresses, one a line, with a user name and password for TURN', () => {
    const lines = 'stun:stun.example.org:3478\nturns:turn.example.org:5349 ana s3cret\n\n  turn:10.0.0.1:3478?transport=tcp bo pw ';
    const servers = parseIceServerLines(lines);
    expect(checkIceServers(servers)).toEqual({ ok: true, value: [
      { urls: 'stun:stun.example.org:3478' },
      { urls: 'turns:turn.example.org:5349', username: 'ana', credential: 's3cret' },
      { urls: 'turn:10.0.0.1:3478?transport=tcp', username: 'bo', credential: 'pw' },
    ] });
    expect(parseIceServerLines(iceServerLines(servers))).toEqual(servers);
    expect(checkIceServers(parseIceServerLines('stuns:a.example'))).toMatchObject({ ok: true });
  });

  it('refuses anything else, in words', () => {
    for (const bad of ['https://turn.example.org', 'turn.example.org:3478', 'ws://x', 'javascript:alert(1)', 'stun:']) {
      expect(checkIceServers(parseIceServerLines(bad)), bad).toMatchObject({ ok: false, error: { code: 'ICE_SERVER_INVALID', message: expect.stringMatching(/stun:.*turns:/) } });
    }
  });

  it('takes at most 8 servers', () => {
    const many = (n: number) => Array.from({ length: n }, (_, i) => ({ urls: `stun:s${i}.example:3478` }));
    expect(checkIceServers(many(8))).toMatchObject({ ok: true });
    expect(checkIceServers(many(9))).toMatchObject({ ok: false, error: { code: 'ICE_SERVER_INVALID' } });
  });
});
