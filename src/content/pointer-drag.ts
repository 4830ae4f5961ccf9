/**
 * A drag on `handle` with the pointer captured, so it follows the pointer over the chat's frame
 * and past the window's edge. Only trusted events count: the page's scripts can dispatch pointer
 * events at our host element, and must not move the overlay with them.
 */
export function pointerDrag<T>(handle: HTMLElement, on: { start(): T; move(at: T, dx: number, dy: number): void; end(at: T): void }): void {
  handle.addEventListener('pointerdown', (down) => {
    if (!down.isTrusted || down.button !== 0) return;
    down.preventDefault();
    handle.setPointerCapture(down.pointerId);
    const at = on.start();
    const move = (e: PointerEvent) => {
      if (e.isTrusted && e.pointerId === down.pointerId) on.move(at, e.clientX - down.clientX, e.clientY - down.clientY);
    };
    const stop = (e: PointerEvent) => {
      if (!e.isTrusted || e.pointerId !== down.pointerId) return;
      handle.removeEventListener('pointermove', move);
      handle.removeEventListener('pointerup', stop);
      handle.removeEventListener('pointercancel', stop);
      on.end(at);
    };
    handle.addEventListener('pointermove', move);
    handle.addEventListener('pointerup', stop);
    handle.addEventListener('pointercancel', stop);
  });
}

/** Arrow keys on `handle` call `nudge` (a larger step with Shift), the keyboard's drag. */
export function arrowKeys(handle: HTMLElement, nudge: (dx: number, dy: number) => void): void {
  handle.addEventListener('keydown', (e) => {
    if (!e.isTrusted) return;
    const step = e.shiftKey ? 80 : 20;
    const d = ({ ArrowLeft: [-step, 0], ArrowRight: [step, 0], ArrowUp: [0, -step], ArrowDown: [0, step] } as Record<string, [number, number]>)[e.key];
    if (!d) return;
    e.preventDefault();
    nudge(d[0], d[1]);
  });
}
