import { describe, expect, it } from 'vitest';
import { checkIceServers, parseIceServerLines } from '../../src/shared/settings.ts';

// review13: every server the setting saves goes into `new RTCPeerConnection({iceServers})` in the
// offscreen document for every connection. The WebRTC spec (and Chromium, checked by hand on this
// machine's /usr/bin/chromium) throws for these, so one such line saved silently ends every direct
// connection: the offscreen document's open() throws before it records the connection, nothing
// tells the background, and each attempt waits out DIRECT_CONNECT_TIMEOUT_MS, then gives up:
//   turn:/turns: without both user name and password -> InvalidAccessError
//   stun: with a query -> SyntaxError ("is not a valid stun or turn URL")
// The settings form should refuse them in words, as it refuses https: addresses.

describe('STUN/TURN servers the browser cannot use', () => {
  it('are refused before saving', () => {
    for (const bad of ['turn:10.0.0.1:3478?transport=tcp', 'turn:turn.example.org:3478', 'turns:turn.example.org:5349 ana', 'stun:stun.example.org?x=1']) {
      expect(checkIceServers(parseIceServerLines(bad)), bad).toMatchObject({ ok: false, error: { code: 'ICE_SERVER_INVALID' } });
    }
  });
});
