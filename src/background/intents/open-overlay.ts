import browser from 'webextension-polyfill';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { injectOverlay } from '../overlay-injection.ts';

/** "Chat on this page": the popup's click granted activeTab for the tab behind it. */
export async function openOverlay(bg: Background, msg: Extract<ViewToBackground, { type: 'open-overlay' }>, view: ViewPort): Promise<void> {
  const [tab] = await browser.tabs.query({ active: true, lastFocusedWindow: true });
  const problem = tab?.id === undefined ? 'There is no page to chat on.' : await injectOverlay(bg, tab.id, msg.roomId);
  if (problem) bg.post(view, { type: 'error', code: 'CANNOT_INJECT', message: problem });
}
