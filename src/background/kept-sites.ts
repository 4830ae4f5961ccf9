import browser from 'webextension-polyfill';
import type { Runtime } from 'webextension-polyfill';
import overlayScript from '../content/overlay-main.ts?iife';
import { MAX_KEPT_SITES, isWidePattern, originPattern, siteOf } from '../shared/kept-origin.ts';
import type { Background } from './context.ts';
import { kept, saveKeptSites } from './kept-site-list.ts';
import { closeOverlay, injectOverlay, mostRecentRoom } from './overlay-injection.ts';
import { portOrigin } from './overlay-place.ts';

// "Keep Parley on a site" (docs/security.md). The user grants one origin at runtime (the popup asks,
// from their click); for each kept origin the background registers one content script, the same
// one "Chat on this page" injects, that opens the overlay on every load of that site. Nothing else
// is injected anywhere: the manifest has no content_scripts and no host_permissions.
//
// Three records must agree: the kept sites (IndexedDB, settings store, key 'kept-sites'), the
// browser's granted origins, and the registered scripts. The kept sites are the truth for what the
// user asked; a grant the user took back (the browser's own UI) wins over them: permissions.onRemoved
// and reconcileKeptSites (every worker start) drop what lost its grant.

/** Our registered scripts' ids: one per kept origin. */
const ID_PREFIX = 'parley-keep ';

export const scriptId = (origin: string): string => ID_PREFIX + origin;

function granted(origin: string): Promise<boolean> {
  return browser.permissions.contains({ origins: [originPattern(origin)] }).catch(() => false);
}

/**
 * Keeps Parley on `origin` in `roomId`: the grant must already be there (asked by the popup). The
 * script is registered (or its registration replaced) before the record is written, so a kept site
 * always has its script. Returns a problem in words, or null.
 */
export async function keepSite(bg: Background, origin: string, roomId: string): Promise<string | null> {
  const sites = kept(bg);
  const others = sites.filter((s) => s.origin !== origin);
  if (others.length >= MAX_KEPT_SITES) return `Parley is kept on ${MAX_KEPT_SITES} sites already: remove one in Settings first.`;
  if (!(await granted(origin))) return `The browser has not allowed Parley on ${origin}.`;
  waitingFor(bg).delete(origin);
  const id = scriptId(origin);
  await browser.scripting.unregisterContentScripts({ ids: [id] }).catch(() => {}); // none yet: fine
  await browser.scripting.registerContentScripts([{
    id, matches: [originPattern(origin)], js: [overlayScript], runAt: 'document_idle', allFrames: false, persistAcrossSessions: true,
  }]);
  await saveKeptSites(bg, [...others, { origin, roomId, keptAt: Date.now() }]);
  return null;
}

/**
 * Stops keeping Parley on `origin`: its script goes, then its record, then the grant. A grant the
 * browser will not remove (one the manifest itself lists) stays; nothing is injected without the script.
 */
export async function forgetSite(bg: Background, origin: string): Promise<void> {
  await browser.scripting.unregisterContentScripts({ ids: [scriptId(origin)] }).catch(() => {});
  closeOverlaysOn(bg, origin);
  const rest = kept(bg).filter((s) => s.origin !== origin);
  if (rest.length !== kept(bg).length) await saveKeptSites(bg, rest);
  const pattern = originPattern(origin);
  await browser.permissions.remove({ origins: [pattern] }).catch((e: unknown) => console.warn(`parley: the grant for ${pattern} stays`, e));
}

/**
 * Closes every overlay open on a page of `origin` (the browser's word for where each content script
 * runs, never the script's own): taken off a site, Parley leaves nothing of itself there.
 */
function closeOverlaysOn(bg: Background, origin: string): void {
  for (const [tabId, port] of [...bg.overlayHosts]) {
    if (portOrigin(port) === origin) closeOverlay(bg, tabId);
  }
}

/** The browser declined a keep-site just asked: its wait for a grant ends, nothing else changes. */
export function keepDeclined(bg: Background, origin: string): void {
  waitingFor(bg).delete(origin);
}

/** The user took grants back in the browser's own UI: the sites they covered are no longer kept. */
export async function permissionsRemoved(bg: Background, _origins: string[]): Promise<void> {
  // The browser is asked about each kept site, rather than the event's words compared to its pattern.
  for (const site of kept(bg)) {
    if (!(await granted(site.origin))) await forgetSite(bg, site.origin);
  }
}

/**
 * On every worker start: a kept site whose grant is gone is forgotten; a registered script of ours
 * that no kept site (with its grant) accounts for is removed; a kept site whose script is missing
 * (Chromium drops registered scripts when the extension updates) or names another file than this
 * build's overlay script gets it again.
 */
export async function reconcileKeptSites(bg: Background): Promise<void> {
  await removeWideGrants();
  for (const site of kept(bg)) {
    if (!(await granted(site.origin))) await forgetSite(bg, site.origin);
  }
  const wanted = new Map(kept(bg).map((s) => [scriptId(s.origin), s]));
  const registered = await browser.scripting.getRegisteredContentScripts();
  // Its file is this build's and its pattern the site's own (an older Parley's had no port).
  const current = (s: { id: string; js?: string[]; matches?: string[] }) => {
    const site = wanted.get(s.id);
    return site !== undefined && s.js?.length === 1 && s.js[0] === overlayScript
      && s.matches?.length === 1 && s.matches[0] === originPattern(site.origin);
  };
  const stray = registered.filter((s) => s.id.startsWith(ID_PREFIX) && !current(s)).map((s) => s.id);
  if (stray.length) await browser.scripting.unregisterContentScripts({ ids: stray });
  const have = new Set(registered.filter(current).map((s) => s.id));
  for (const [id, site] of wanted) {
    if (have.has(id)) continue;
    await browser.scripting.registerContentScripts([{
      id, matches: [originPattern(site.origin)], js: [overlayScript], runAt: 'document_idle', allFrames: false, persistAcrossSessions: true,
    }]);
  }
}

/**
 * Grants of the form an older Parley asked for (`<origin>/*`, no port: every port of the host) are
 * taken back; those the manifest itself lists cannot be, and stay. A kept site then without a grant
 * is forgotten by the caller, and keeping it again asks for its exact origin.
 */
async function removeWideGrants(): Promise<void> {
  const { origins = [] } = await browser.permissions.getAll().catch(() => ({ origins: [] as string[] }));
  const required = new Set(browser.runtime.getManifest().host_permissions ?? []);
  for (const pattern of origins) {
    if (!isWidePattern(pattern) || required.has(pattern)) continue;
    await browser.permissions.remove({ origins: [pattern] }).catch((e: unknown) => console.warn(`parley: the grant for ${pattern} stays`, e));
  }
}

/**
 * The content script of a page opened its host port: on a kept site, a tab with no room chosen
 * (Chat on this page) gets the site's room. Run in the serial queue before the overlay's own port
 * asks which room it shows.
 */
export async function roomForKeptTab(bg: Background, sender: Runtime.MessageSender | undefined): Promise<void> {
  const tabId = sender?.tab?.id;
  if (tabId === undefined || sender?.frameId !== 0 || bg.overlayRooms.has(tabId)) return;
  const origin = siteOf(sender.url);
  const site = origin === null ? undefined : kept(bg).find((s) => s.origin === origin);
  if (!site) return;
  // Its room left: the room "Chat on this page" would open on (Settings says "opens on your latest
  // room"); no room at all: no overlay, rather than one waiting on nothing.
  const lastRoom = bg.lastRoomId !== null && bg.mem.rooms.has(bg.lastRoomId) ? bg.lastRoomId : null;
  const room = bg.mem.rooms.has(site.roomId) ? site.roomId : (lastRoom ?? (await mostRecentRoom(bg)));
  if (room !== null) bg.overlayRooms.set(tabId, room);
  else closeOverlay(bg, tabId);
}

/**
 * Keeps Parley on `origin` and opens the overlay on tab `tabId` now, if that tab still shows the
 * site. Returns a problem in words, or null.
 */
export async function keepAndShow(bg: Background, origin: string, roomId: string, tabId: number): Promise<string | null> {
  const problem = await keepSite(bg, origin, roomId);
  if (problem) return problem;
  const tab = await browser.tabs.get(tabId).catch(() => null);
  if (siteOf(tab?.url) !== origin) return null; // navigated away meanwhile: it opens on the next load
  return injectOverlay(bg, tabId, roomId);
}

/**
 * A keep-site asked before the browser's answer: Chromium's permission prompt closes the toolbar
 * popup that asked, so the popup never hears the answer. The popup sends keep-site first, then asks
 * the browser; the background waits here for permissions.onAdded, for a while, one per origin.
 */
interface WaitingKeep {
  roomId: string;
  tabId: number;
  at: number;
}

/** How long a keep-site waits for the user to answer the browser's question. */
export const KEEP_WAIT_MS = 5 * 60_000;
/** The most keep-sites waiting at once (the oldest goes first). */
export const MAX_WAITING_KEEPS = 5;

const waiting = new WeakMap<Background, Map<string, WaitingKeep>>();

function waitingFor(bg: Background): Map<string, WaitingKeep> {
  let map = waiting.get(bg);
  if (!map) waiting.set(bg, (map = new Map()));
  return map;
}

export function awaitGrant(bg: Background, origin: string, roomId: string, tabId: number, now = Date.now()): void {
  const map = waitingFor(bg);
  map.delete(origin);
  map.set(origin, { roomId, tabId, at: now });
  for (const key of map.keys()) {
    if (map.size <= MAX_WAITING_KEEPS) break;
    map.delete(key);
  }
}

/** The browser granted origins: a keep-site that waited for one of them is carried out now. */
export async function permissionsAdded(bg: Background, _origins: string[], now = Date.now()): Promise<void> {
  // Which origins the event names is not compared: the browser is asked whether each waiting
  // site's pattern is granted now (it may write a granted pattern otherwise).
  const map = waitingFor(bg);
  for (const [origin, keep] of [...map]) {
    if (now - keep.at > KEEP_WAIT_MS) {
      map.delete(origin);
      continue;
    }
    if (!(await granted(origin))) continue;
    map.delete(origin);
    if (!bg.mem.rooms.has(keep.roomId)) continue; // left meanwhile
    const problem = await keepAndShow(bg, origin, keep.roomId, keep.tabId);
    if (problem) console.warn(`parley: not kept on ${origin}: ${problem}`);
  }
}
