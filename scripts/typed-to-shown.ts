// Typed-to-shown between two popups, shared by the benches that measure it (bench-extension.ts,
// bench-extension-trace.ts, bench-direct.ts). One clock: both popups run on this machine, and
// each time is read in its page as performance.timeOrigin + performance.now(), the wall clock
// Chromium gives every page alike. Not a test helper: it prints nothing and asserts nothing.
import type { PopupPage } from '../tests/browser/popup-page.ts';

type Seen = { seen: Record<string, number> };

/** From now on, `popup` notes when each message text first appears in its chat log. */
export async function watchShown(popup: PopupPage): Promise<void> {
  await popup.page.evaluate(() => {
    const seen: Record<string, number> = {};
    (window as unknown as Seen).seen = seen;
    new MutationObserver(() => {
      for (const el of document.querySelectorAll('[data-testid=message] .pl-text')) {
        const t = el.textContent ?? '';
        if (!(t in seen)) seen[t] = performance.timeOrigin + performance.now();
      }
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

/**
 * Types `text` in `popup`'s composer and "presses Enter" inside the page; returns when it was
 * pressed, timestamped there, so Playwright's own round trips are not counted.
 */
export function pressSend(popup: PopupPage, text: string): Promise<number> {
  return popup.page.evaluate((t) => {
    const box = document.querySelector('[data-testid=composer]') as HTMLTextAreaElement;
    box.value = t;
    box.dispatchEvent(new InputEvent('input', { bubbles: true }));
    const at = performance.timeOrigin + performance.now();
    box.dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true, cancelable: true }));
    return at;
  }, text);
}

/** When `text` first showed in `popup` (watchShown), once it has. */
export async function shownAt(popup: PopupPage, text: string): Promise<number> {
  await popup.page.waitForFunction((t) => t in (window as unknown as Seen).seen, text);
  return popup.page.evaluate((t) => (window as unknown as Seen).seen[t]!, text);
}

/** Every text `popup` has shown since watchShown, with when. */
export function allShown(popup: PopupPage): Promise<Record<string, number>> {
  return popup.page.evaluate(() => (window as unknown as Seen).seen);
}

/** One message typed in `from` until it shows in `to`, in milliseconds. */
export async function typedToShown(from: PopupPage, to: PopupPage, text: string): Promise<number> {
  const sent = await pressSend(from, text);
  return (await shownAt(to, text)) - sent;
}

/** The p-th percentile (0 to 100) of `values`, nearest rank below, as the benches have printed it. */
export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** "p50 … ms, p95 … ms, max … ms". */
export function summary(values: number[]): string {
  return `p50 ${percentile(values, 50).toFixed(1)} ms, p95 ${percentile(values, 95).toFixed(1)} ms, max ${percentile(values, 100).toFixed(1)} ms`;
}
