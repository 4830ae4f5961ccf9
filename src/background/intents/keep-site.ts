import browser from 'webextension-polyfill';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import { keptOrigin, siteOf } from '../../shared/kept-origin.ts';
import type { Background, ViewPort } from '../context.ts';
import { keepSite } from '../kept-sites.ts';
import { injectOverlay } from '../overlay-injection.ts';

/**
 * "Keep Parley on this site", after the popup got the browser's grant from the user's click. Every
 * field is checked: the origin must be one Parley may be kept on (shared/kept-origin.ts), the site
 * of the tab the popup names (active in its window), and the room one of ours. Then the overlay
 * opens on that page now, as it will on every later load.
 */
export async function keepSiteIntent(bg: Background, msg: Extract<ViewToBackground, { type: 'keep-site' }>, view: ViewPort): Promise<void> {
  const refuse = (message: string) => bg.post(view, { type: 'error', code: 'CANNOT_KEEP', message });
  const origin = keptOrigin(msg.origin);
  if (origin === null) return refuse('Parley can be kept only on web pages (http or https).');
  if (typeof msg.roomId !== 'string' || !bg.mem.rooms.has(msg.roomId)) return refuse('That room is not in your list.');
  const tab = await activeTab(msg.tabId);
  if (tab === null || siteOf(tab.url) !== origin) return refuse(`The page behind the popup is not on ${origin}.`);
  const problem = await keepSite(bg, origin, msg.roomId);
  if (problem) return refuse(problem);
  const shown = await injectOverlay(bg, tab.id, msg.roomId);
  if (shown) bg.post(view, { type: 'error', code: 'CANNOT_INJECT', message: shown });
  bg.refresh();
}

async function activeTab(tabId: unknown): Promise<{ id: number; url: string | undefined } | null> {
  if (typeof tabId !== 'number' || !Number.isSafeInteger(tabId) || tabId < 0) return null;
  try {
    const tab = await browser.tabs.get(tabId);
    return tab.active ? { id: tabId, url: tab.url } : null;
  } catch {
    return null; // closed meanwhile
  }
}
