import browser from 'webextension-polyfill';
import type { Runtime } from 'webextension-polyfill';
import { OVERLAY_PORT, POPUP_PORT } from '../shared/view-messages.ts';

/**
 * Ports are accepted only from this extension: the popup from one of our own pages (also when opened in a tab), the overlay
 * from our content script in a tab. Web pages cannot connect (no externally_connectable), and
 * this check keeps it so if that ever changes.
 */
export function isTrustedSender(sender: Runtime.MessageSender | undefined, portName: string): boolean {
  if (!sender || sender.id !== browser.runtime.id) return false;
  const ownOrigin = new URL(browser.runtime.getURL('/')).origin;
  if (portName === POPUP_PORT) return typeof sender.url === 'string' && new URL(sender.url).origin === ownOrigin;
  if (portName === OVERLAY_PORT) return typeof sender.tab?.id === 'number';
  return false;
}
