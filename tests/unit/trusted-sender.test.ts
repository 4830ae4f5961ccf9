// Which ports the background accepts (src/background/trusted-sender.ts), for every kind of sender
// a port can come from. Only webextension-polyfill's runtime is a stand-in.
import { describe, expect, it, vi } from 'vitest';

vi.mock('webextension-polyfill', () => ({
  default: { runtime: { id: 'ourid', getURL: (p: string) => `chrome-extension://ourid${p}` } },
}));
const { isTrustedSender } = await import('../../src/background/trusted-sender.ts');
const { OVERLAY_HOST_PORT, OVERLAY_PORT, POPUP_PORT } = await import('../../src/shared/view-messages.ts');

const popup = { id: 'ourid', url: 'chrome-extension://ourid/src/popup/index.html' };
const overlayFrame = { id: 'ourid', url: 'chrome-extension://ourid/src/overlay/index.html', tab: { id: 3 } };
const contentScript = { id: 'ourid', url: 'https://news.example/article', tab: { id: 3 } };
const otherExtension = { id: 'otherid', url: 'chrome-extension://otherid/page.html', tab: { id: 3 } };

describe('ports the background accepts', () => {
  it('popup ports only from our own pages, overlay ports only from our page in a tab, host ports only from our content script in a tab', () => {
    const cases: Array<[string, object | undefined, boolean]> = [
      [POPUP_PORT, popup, true], [POPUP_PORT, contentScript, false], [POPUP_PORT, otherExtension, false],
      [OVERLAY_PORT, overlayFrame, true], [OVERLAY_PORT, popup, false], [OVERLAY_PORT, contentScript, false],
      [OVERLAY_HOST_PORT, contentScript, true], [OVERLAY_HOST_PORT, overlayFrame, false], [OVERLAY_HOST_PORT, popup, false],
      [OVERLAY_HOST_PORT, otherExtension, false], ['some-other-port', popup, false], [POPUP_PORT, undefined, false],
    ];
    for (const [name, sender, trusted] of cases) {
      expect(isTrustedSender(sender as never, name), `${name} from ${JSON.stringify(sender)}`).toBe(trusted);
    }
  });
});
