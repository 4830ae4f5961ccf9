import { afterEach, describe, expect, it } from 'vitest';
import { PagePeerHost } from '../../src/background/page-peer-host.ts';
import type { BackgroundToOffscreen, OffscreenToBackground } from '../../src/shared/offscreen-messages.ts';

// Firefox's host of the direct path (src/background/page-peer-host.ts): the offscreen document's
// connection code run in the background page. What the background relies on: replies come after
// its own call returns, as over a port, and none after a release.

const scope = globalThis as { RTCPeerConnection?: unknown };
afterEach(() => { delete scope.RTCPeerConnection; });

/** A browser whose RTCPeerConnection refuses every configuration (as for bad ICE servers). */
function refusingBrowser(): void {
  scope.RTCPeerConnection = class { constructor() { throw new TypeError('refused'); } };
}

const open: BackgroundToOffscreen = { type: 'open-conn', conn: 'room|peer', offer: true, iceServers: [] };

describe('PagePeerHost', () => {
  it('is supported only where the page has RTCPeerConnection', () => {
    expect(PagePeerHost.supported()).toBe(false);
    refusingBrowser();
    expect(PagePeerHost.supported()).toBe(true);
  });

  it('answers after the background\'s call returns, not inside it', async () => {
    refusingBrowser();
    const heard: OffscreenToBackground[] = [];
    const host = new PagePeerHost((m) => heard.push(m));
    host.send(open);
    expect(heard).toEqual([]);
    await new Promise((r) => setTimeout(r, 0));
    expect(heard).toEqual([{ type: 'conn-failed', conn: 'room|peer', why: 'TypeError: refused' }]);
  });

  it('says nothing more once released', async () => {
    refusingBrowser();
    const heard: OffscreenToBackground[] = [];
    const host = new PagePeerHost((m) => heard.push(m));
    host.send(open);
    host.release();
    await new Promise((r) => setTimeout(r, 0));
    expect(heard).toEqual([]);
  });
});
