import { useEffect, useState } from 'preact/hooks';
import browser from 'webextension-polyfill';
import { originPattern, siteOf } from '../shared/kept-origin.ts';
import type { KeptSiteSummary, ViewToBackground } from '../shared/view-messages.ts';
import './kept-sites.css';

interface Props {
  roomId: string;
  keptSites: KeptSiteSummary[];
  send: (msg: ViewToBackground) => void;
}

/** The page the popup was opened over (activeTab lets the popup read its address): tab and site. */
async function pageSite(): Promise<{ tabId: number; origin: string } | null> {
  try {
    const [tab] = await browser.tabs.query({ active: true, currentWindow: true });
    const origin = siteOf(tab?.url);
    return tab?.id !== undefined && origin !== null ? { tabId: tab.id, origin } : null;
  } catch {
    return null;
  }
}

/**
 * "Keep Parley on this site": asks the browser for this one site, in the click itself (the request
 * needs the user's gesture, so the site is looked up before, when the popup opens). Only once the
 * user allowed it does the background register the script that opens the overlay on every load.
 */
export function KeepSite({ roomId, keptSites, send }: Props) {
  const [page, setPage] = useState<{ tabId: number; origin: string } | null>(null);
  const [note, setNote] = useState<string | null>(null);
  /** The browser's answer, when this popup lived to hear it. */
  const [answer, setAnswer] = useState<'granted' | 'declined' | 'failed' | null>(null);
  useEffect(() => {
    void pageSite().then(setPage);
  }, []);
  if (page === null) return null;
  const kept = keptSites.find((s) => s.origin === page.origin);
  const host = new URL(page.origin).host;
  const keep = () => {
    setNote(null);
    const intent: ViewToBackground = { type: 'keep-site', origin: page.origin, roomId, tabId: page.tabId };
    // Said first: Chromium's question closes this popup, which then never hears the answer; the
    // background waits for the grant itself (permissions.onAdded). Nothing is awaited before the
    // request, which must run in the click's gesture.
    send(intent);
    // Declined (or failed): the background stops waiting for a grant, so one given later another
    // way (the browser's site settings) does not keep the site without this click.
    const declined = () => send({ type: 'forget-site', origin: page.origin, declined: true });
    browser.permissions.request({ origins: [originPattern(page.origin)] }).then((granted) => {
      setAnswer(granted ? 'granted' : 'declined');
      if (granted) send(intent);
      else {
        declined();
        setNote(`Not kept: the browser did not allow Parley on ${host}.`);
      }
    }, (e: unknown) => {
      declined();
      setAnswer('failed');
      setNote(`Not kept: ${e instanceof Error ? e.message : String(e)}`);
    });
  };
  return (
    <div class="pl-keep-site" data-testid="keep-site-box" data-answer={answer ?? undefined}>
      {kept?.roomId === roomId ? (
        <p class="pl-hint" data-testid="site-kept">Parley opens in this room on every page of {host}. Settings lists the sites it is kept on.</p>
      ) : (
        <button data-testid="keep-site" onClick={keep} title={`Parley opens on every page of ${host}, after the browser asks you`}>Keep Parley on this site</button>
      )}
      {note ? <p class="pl-field-error" role="alert" data-testid="keep-site-note">{note}</p> : null}
    </div>
  );
}
