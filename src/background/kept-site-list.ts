import type { KeptSiteSummary } from '../shared/view-messages.ts';
import type { Background } from './context.ts';
import type { Db } from './db.ts';

// The list of kept sites (kept-sites.ts has the rest): in IndexedDB, settings store, key
// 'kept-sites', mirrored in memory after each commit. Apart from the scripts, so the state
// message can list them without loading the content script's bundle.

const KEY = 'kept-sites';

export interface KeptSite {
  origin: string;
  /** The room the overlay opens on for this site's pages (when the tab has no choice of its own). */
  roomId: string;
  keptAt: number;
}

export interface KeptSites {
  sites: KeptSite[];
}

export async function loadKeptSites(db: Db): Promise<KeptSite[]> {
  return ((await db.get('settings', KEY)) as KeptSites | undefined)?.sites ?? [];
}

export async function saveKeptSites(bg: Background, sites: KeptSite[]): Promise<void> {
  await bg.db.put('settings', { sites }, KEY);
  bg.mem.keptSites = sites; // after the commit, as every mirror in memory.ts
}

export function kept(bg: Background): KeptSite[] {
  return bg.mem.keptSites ?? [];
}

/** For the 'state' message: each kept site and the name of its room (null: the room was left). */
export function keptSiteSummaries(bg: Background): KeptSiteSummary[] {
  return kept(bg).map((s) => ({ origin: s.origin, roomId: s.roomId, roomName: bg.mem.rooms.get(s.roomId)?.name ?? null }));
}

