import type { RefObject } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';

/**
 * Where the keyboard focus goes when the popup changes screen, so a keyboard or screen-reader
 * user never lands on <body> and has to start over: into a new screen, its element marked
 * data-autofocus (the composer, the first field); back on the room list, the control that left it
 * (the room's button, Settings). `key` names the screen; `back` is that control's selector.
 */
export function useScreenFocus(root: RefObject<HTMLElement | null>, key: string, back: string | null): void {
  const first = useRef(true);
  // Before paint: a key pressed right after the screen shows already goes to its field.
  useLayoutEffect(() => {
    // The first screen keeps the browser's own start: nothing was left yet.
    if (first.current) {
      first.current = false;
      return;
    }
    const target = (back ? root.current?.querySelector<HTMLElement>(back) : null)
      ?? root.current?.querySelector<HTMLElement>('[data-autofocus]');
    target?.focus();
  }, [key]);
}
