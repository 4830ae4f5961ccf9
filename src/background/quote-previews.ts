import type { PageQuote } from '../shared/view-messages.ts';
import type { Background } from './context.ts';

// docs/security.md: one click on "Quote selection" sends nothing. A hostile page controls the
// selection and can disguise the overlay's button under a lure, so the background shows the
// member the cleaned passage first (quote-preview) and sends it only on a second, separate
// intent (send-quote) naming the preview: exactly the passage shown, never one read again.

/** A passage cleaned and shown to the member, waiting for "Send quote". */
export interface QuotePreview {
  roomId: string;
  /** The member's comment, as typed when they asked for the quote. */
  text: string;
  quote: PageQuote;
  at: number;
}

/** Previews kept per background: a few views each with one waiting is the most a member makes. */
const MAX_PREVIEWS = 8;
/** A preview left waiting longer is not sent: the member may no longer remember what it was. */
export const QUOTE_PREVIEW_TTL_MS = 10 * 60_000;

const previews = new WeakMap<Background, Map<string, QuotePreview>>();

function of(bg: Background): Map<string, QuotePreview> {
  let map = previews.get(bg);
  if (!map) previews.set(bg, (map = new Map()));
  return map;
}

/** Keeps `preview` under the line id it will be sent as; the oldest goes past MAX_PREVIEWS. */
export function keepPreview(bg: Background, id: string, preview: QuotePreview): void {
  const map = of(bg);
  map.delete(id);
  map.set(id, preview);
  for (const old of map.keys()) {
    if (map.size <= MAX_PREVIEWS) break;
    map.delete(old);
  }
}

/** The preview `id` of `roomId`, once (it is gone after); null: none, another room's, or too old. */
export function takePreview(bg: Background, roomId: string, id: string, now = Date.now()): QuotePreview | null {
  const map = of(bg);
  const preview = map.get(id);
  if (!preview || preview.roomId !== roomId) return null;
  map.delete(id);
  return now - preview.at <= QUOTE_PREVIEW_TTL_MS ? preview : null;
}
