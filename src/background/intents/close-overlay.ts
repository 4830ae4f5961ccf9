import type { Background, ViewPort } from '../context.ts';
import { closeOverlay } from '../overlay-injection.ts';

/** The overlay's close button: its frame cannot remove itself from the page, its host script can. */
export async function closeOverlayIntent(bg: Background, _msg: unknown, view: ViewPort): Promise<void> {
  if (view.kind === 'overlay' && view.tabId !== null) closeOverlay(bg, view.tabId);
}
