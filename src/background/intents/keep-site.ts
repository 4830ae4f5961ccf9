import browser from 'webextension-polyfill';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import { keptOrigin, originPattern, siteOf } from '../../shared/kept-origin.ts';
import type { Background, ViewPort } from '../context.ts';
import { awaitGrant, keepAndShow } from '../kept-sites.ts';
import { kept } from '../kept-site-list.ts';

/**
 * "Keep Parley on this site", after the popup got the browser's grant from the user's click. Every
 * field is checked: the origin must be one Parley may be kept on (shared/kept-origin.ts), the site
 * of the tab the popup names (active in its window), and the room one of ours. Then the overlay
 * opens on that page now, as it will on every later load. The popup sends this before it asks the
 * browser (whose question may close the popup) and again once the browser said yes.
 */
export async function keepSiteIntent(bg: Background, msg: Extract<ViewToBackground, { type: 'keep-site' }>, view: ViewPort): Promise<void> {
  const refuse = (message: string) => bg.post(view, { type: 'error', code: 'CANNOT_KEEP', message });
  const origin = keptOrigin(msg.origin);
  if (origin === null) return refuse('Parley can be kept only on web pages (http or https).');
  if (typeof msg.roomId !== 'string' || !bg.mem.rooms.has(msg.roomId)) return refuse('That room is not in your list.');
  const tab = await activeTab(msg.tabId);
  if (tab === null || siteOf(tab.url) !== origin) return refuse(`The page behind the popup is not on ${origin}.`);
  const already = kept(bg).find((s) => s.origin === origin);
  if (already?.roomId === msg.roomId) return bg.refresh(); // asked again once the browser answered
  // Not granted yet: the browser is asking the user now (the popup that asked may be closed by
  // its question), and permissions.onAdded carries this out (kept-sites.ts, awaitGrant).
  if (!(await browser.permissions.contains({ origins: [originPattern(origin)] }).catch(() => false))) {
    return awaitGrant(bg, origin, msg.roomId, tab.id);
  }
  const problem = await keepAndShow(bg, origin, msg.roomId, tab.id);
  if (problem) refuse(problem);
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
