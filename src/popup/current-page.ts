import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { parseJoinInput } from '../shared/invite.ts';
import { normalisePageUrl } from '../shared/page-url.ts';
import type { PageRef } from '../shared/view-messages.ts';

/**
 * The web page the popup was opened over: its address and title. The toolbar click grants
 * activeTab, which lets the popup read that one tab's URL and title; opened any other way (or over
 * a page that is not http(s)), there is no page and nothing about pages is offered. An invite link
 * is not a page to chat about: the popup offers to join its room instead (page-tab.ts).
 */
export function useCurrentPage(): PageRef | null {
  const [page, setPage] = useState<PageRef | null>(null);
  useEffect(() => {
    void (async () => {
      try {
        const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
        const url = tab?.url;
        if (!url || !normalisePageUrl(url).ok) return;
        const invite = parseJoinInput(url);
        if (invite.ok && invite.value.relayUrl !== null) return;
        setPage({ url, title: tab.title ?? '' });
      } catch {
        // No tab to read: no page.
      }
    })();
  }, []);
  return page;
}

/** What a page is called in a line's mark or a room list: its title, or its host. */
export function pageLabel(page: PageRef): string {
  if (page.title.trim()) return page.title.trim();
  try {
    return new URL(page.url).host;
  } catch {
    return page.url;
  }
}
