import browser from 'webextension-polyfill';

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
