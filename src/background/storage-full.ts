import type { Background } from './context.ts';

// IndexedDB refuses writes once the device's storage for Parley is full (QuotaExceededError). No
// write of ours is partial (each is one transaction), so what was stored stays stored; a line not
// stored is taken back from the views, and the room's lastSeq did not move, so the relay is asked
// for it again (join.ts askAgain) and on the next rejoin. The user is told once, in words, until
// a write succeeds again.

export const STORAGE_FULL_TEXT = 'This device has no room left to store Parley\'s messages. New messages are not saved until you free some space (or keep fewer messages per room in Settings); nothing already saved is lost.';

const problems = new WeakMap<Background, string>();

export function isQuotaError(e: unknown): boolean {
  for (let cause = e, depth = 0; cause && depth < 4; cause = (cause as { cause?: unknown }).cause, depth++) {
    if ((cause as { name?: unknown }).name === 'QuotaExceededError') return true;
  }
  return false;
}

/** The storage problem to show, in words; null while writes succeed. */
export function storageProblem(bg: Background): string | null {
  return problems.get(bg) ?? null;
}

/**
 * A task failed: if for lack of space, says so to every view (STORAGE_FULL) and in the state, and
 * returns true; any other error is the caller's to report.
 */
export function noteStorageError(bg: Background, e: unknown): boolean {
  if (!isQuotaError(e)) return false;
  const first = !problems.has(bg);
  problems.set(bg, STORAGE_FULL_TEXT);
  if (first) for (const view of bg.views) bg.post(view, { type: 'error', code: 'STORAGE_FULL', message: STORAGE_FULL_TEXT });
  bg.refresh();
  return true;
}

/** A write committed: storage has room again. */
export function noteStored(bg: Background): void {
  if (!problems.delete(bg)) return;
  bg.refresh();
}
