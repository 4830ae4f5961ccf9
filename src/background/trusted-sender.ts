import browser from 'webextension-polyfill';
import type { Runtime } from 'webextension-polyfill';
import { OVERLAY_HOST_PORT, OVERLAY_PORT, POPUP_PORT } from '../shared/view-messages.ts';
import { OFFSCREEN_PORT } from '../shared/offscreen-messages.ts';

/**
 * Ports are accepted only from this extension: the popup and the overlay's chat from our own
 * pages (the overlay's in a frame in a tab), the overlay host from our content script in a tab.
 * Web pages cannot connect (no externally_connectable), and this check keeps it so if that
 * ever changes.
 */
export function isTrustedSender(sender: Runtime.MessageSender | undefined, portName: string): boolean {
  if (!sender || sender.id !== browser.runtime.id) return false;
  const ownPage = typeof sender.url === 'string' && new URL(sender.url).origin === new URL(browser.runtime.getURL('/')).origin;
  const inTab = typeof sender.tab?.id === 'number';
  if (portName === POPUP_PORT) return ownPage;
  if (portName === OVERLAY_PORT) return ownPage && inTab;
  if (portName === OVERLAY_HOST_PORT) return !ownPage && inTab;
  // The offscreen document is our own page in no tab.
  if (portName === OFFSCREEN_PORT) return ownPage && !inTab;
  return false;
}
