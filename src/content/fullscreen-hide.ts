/**
 * Fullscreen (a video, a slide deck) hides the overlay; leaving fullscreen shows it again. The
 * page's fullscreen element is in the top layer anyway; hiding keeps the frame from drawing over
 * its own document when the page makes the whole document fullscreen.
 */
export function hideInFullscreen(root: HTMLElement, signal: AbortSignal): void {
  const update = () => {
    root.hidden = document.fullscreenElement !== null;
  };
  document.addEventListener('fullscreenchange', update, { signal });
  update();
}
