import browser from 'webextension-polyfill';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { injectOverlay } from '../overlay-injection.ts';

/**
 * "Chat on this page": the popup's click granted activeTab for the tab behind it, and the popup
 * names that tab (the active one in its own window). Checked here: it must be a tab that exists
 * and is the one showing in its window; injection itself fails where activeTab was not granted.
 */
export async function openOverlay(bg: Background, msg: Extract<ViewToBackground, { type: 'open-overlay' }>, view: ViewPort): Promise<void> {
  const tabId = await checkedTab(msg.tabId);
  const problem = tabId === null ? 'There is no page to chat on.' : await injectOverlay(bg, tabId, msg.roomId);
  if (problem) bg.post(view, { type: 'error', code: 'CANNOT_INJECT', message: problem });
}

async function checkedTab(tabId: unknown): Promise<number | null> {
  if (typeof tabId !== 'number' || !Number.isSafeInteger(tabId) || tabId < 0) return null;
  try {
    const tab = await browser.tabs.get(tabId);
    return tab.active ? tabId : null;
  } catch {
    return null; // closed meanwhile
  }
}
