import browser from 'webextension-polyfill';
import { parseJoinInput } from '../shared/invite.ts';

/**
 * The tab the popup was opened over: the active tab of the popup's own window. Asked here, not in
 * the background, because while the popup has focus "the last focused window" may be the popup's,
 * or another window entirely, and the background then found no page or the wrong one.
 */
export async function pageTabId(): Promise<number | null> {
  try {
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    return tab?.id ?? null;
  } catch {
    return null;
  }
}

/**
 * The invite link the popup was opened over, if the page is one. The toolbar click grants
 * activeTab, which lets the popup read that one tab's URL; no other permission is asked for, and
 * a popup opened any other way sees no URL and offers nothing.
 */
export async function pageInvite(): Promise<string | null> {
  try {
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    const url = tab?.url;
    if (!url) return null;
    const parsed = parseJoinInput(url);
    return parsed.ok && parsed.value.relayUrl !== null ? url : null;
  } catch {
    return null;
  }
}
