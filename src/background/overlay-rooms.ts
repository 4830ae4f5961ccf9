import type { Db } from './db.ts';

// Which room each tab's overlay shows (tab id -> room id). Kept in the settings store too, because
// the browser stops an idle worker: the overlay's frame then reconnects to a new worker, which must
// answer with the tab's own room, not the popup's last one (or a kept site's) that it would guess.
// Tab ids do not survive a browser restart (a new tab may get an old number), so the browser's
// start drops what an earlier session left (`browserStarted`); a closed tab drops its entry.

const KEY = 'overlay-rooms';
/** More tabs than anyone keeps overlays open in; the oldest entry goes first past it. */
export const MAX_OVERLAY_ROOMS = 500;

interface Stored {
  tabs: [number, string][];
}

/**
 * A Map of tab id to room id that writes itself to the settings store after each change (the
 * latest contents, one write at a time; changes made during a write are written after it).
 */
export class OverlayRooms extends Map<number, string> {
  #db: Db | null = null;
  #writing: Promise<void> | null = null;
  #dirty = false;
  /** Tabs set since this worker started: a browser start keeps those and drops the rest. */
  #fresh = new Set<number>();

  /** Reads what an earlier worker of this browser session left, and writes every change from now on. */
  async load(db: Db): Promise<void> {
    const stored = (await db.get('settings', KEY)) as unknown as Stored | undefined;
    for (const [tabId, roomId] of stored?.tabs ?? []) {
      if (Number.isSafeInteger(tabId) && typeof roomId === 'string' && !this.has(tabId)) super.set(tabId, roomId);
    }
    this.#db = db;
    if (this.#fresh.size) this.#changed();
  }

  /** runtime.onStartup: entries from an earlier browser session name tabs that no longer exist. */
  browserStarted(): void {
    let dropped = false;
    for (const tabId of [...this.keys()]) {
      if (this.#fresh.has(tabId)) continue;
      super.delete(tabId);
      dropped = true;
    }
    if (dropped) this.#changed();
  }

  override set(tabId: number, roomId: string): this {
    this.#fresh.add(tabId);
    if (super.get(tabId) === roomId) return this;
    super.delete(tabId); // re-inserted last: the oldest entries are the first past the bound
    super.set(tabId, roomId);
    for (const oldest of this.keys()) {
      if (this.size <= MAX_OVERLAY_ROOMS) break;
      super.delete(oldest);
    }
    this.#changed();
    return this;
  }

  override delete(tabId: number): boolean {
    this.#fresh.delete(tabId);
    const had = super.delete(tabId);
    if (had) this.#changed();
    return had;
  }

  override clear(): void {
    this.#fresh.clear();
    super.clear();
    this.#changed();
  }

  /** Resolves once every change made so far is written (or its write failed). */
  async written(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  #changed(): void {
    this.#dirty = true;
    if (this.#db && !this.#writing) this.#writing = this.#write(this.#db);
  }

  async #write(db: Db): Promise<void> {
    try {
      while (this.#dirty) {
        this.#dirty = false;
        // A failed write (storage full) leaves the memory right for this worker; the next change tries again.
        await db.put('settings', { tabs: [...this.entries()] } as never, KEY).catch((e: unknown) => console.warn('parley: overlay rooms not saved', e));
      }
    } finally {
      this.#writing = null;
    }
  }
}
