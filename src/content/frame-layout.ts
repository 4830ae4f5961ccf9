import type { OverlayPlace } from '../shared/view-messages.ts';
import { OVERLAY_MAX_HEIGHT, OVERLAY_MAX_WIDTH, OVERLAY_MIN_HEIGHT, OVERLAY_MIN_WIDTH } from '../shared/constants.ts';

// Geometry only: where the overlay's panel and bubble are drawn for a place in a viewport. The
// place is what the user chose; the box is what fits the window now, so a window made smaller
// and then larger again gets the chosen place back.

export interface Size { width: number; height: number }
export interface Box { left: number; top: number; width: number; height: number }

/** The strip above the frame that holds the move handle and the dock / minimise buttons. */
export const HEAD_HEIGHT = 28;
export const BUBBLE_SIZE = 52;
const MARGIN = 16;
const clamp = (n: number, min: number, max: number): number => Math.min(max, Math.max(min, n));

/** Where a never-placed overlay opens: bottom right, as it always did. */
export function defaultPlace(view: Size): OverlayPlace {
  const width = 320;
  const height = 420 + HEAD_HEIGHT;
  return { side: null, left: view.width - width - MARGIN, top: view.height - height - MARGIN, width, height, minimised: false };
}

/**
 * The panel's box for `place` in a viewport of `view`: at least the minimum size (unless the window
 * itself is smaller), never larger than the window, and wholly inside it. Docked: full height.
 */
export function fitPlace(place: OverlayPlace, view: Size): Box {
  const width = Math.min(clamp(place.width, OVERLAY_MIN_WIDTH, OVERLAY_MAX_WIDTH), view.width);
  if (place.side === 'left') return { left: 0, top: 0, width, height: view.height };
  if (place.side === 'right') return { left: view.width - width, top: 0, width, height: view.height };
  const height = Math.min(clamp(place.height, OVERLAY_MIN_HEIGHT, OVERLAY_MAX_HEIGHT), view.height);
  return { left: clamp(place.left, 0, view.width - width), top: clamp(place.top, 0, view.height - height), width, height };
}

/** The bubble sits where the panel's nearest corner was: bottom right of a floating panel, low on a docked side. */
export function fitBubble(place: OverlayPlace, view: Size): { left: number; top: number } {
  const box = fitPlace(place, view);
  const left = place.side === 'left' ? 8 : place.side === 'right' ? view.width - BUBBLE_SIZE - 8 : box.left + box.width - BUBBLE_SIZE;
  const top = place.side === null ? box.top + box.height - BUBBLE_SIZE : view.height - BUBBLE_SIZE - 8;
  return { left: clamp(left, 0, view.width - BUBBLE_SIZE), top: clamp(top, 0, view.height - BUBBLE_SIZE) };
}
