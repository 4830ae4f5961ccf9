import type { OverlayPlace } from '../shared/view-messages.ts';
import type { FrameChrome } from './frame-chrome.ts';
import { defaultPlace, fitBubble, fitPlace, type Box, type Size } from './frame-layout.ts';
import { arrowKeys, pointerDrag } from './pointer-drag.ts';

const viewport = (): Size => ({ width: document.documentElement.clientWidth || window.innerWidth, height: window.innerHeight });

/**
 * The overlay's place and the user's ways of changing it: drag, dock, float, resize, minimise,
 * restore. Every change the user makes is drawn at once and handed to `save` (the background
 * remembers it for the site); a change of the window only redraws, keeping the chosen place.
 */
export class FrameController {
  #place: OverlayPlace;
  /** The user has placed it here already: a remembered place arriving late must not undo that. */
  #touched = false;
  /** The background answered with this site's place (null: none remembered). */
  #received = false;
  /** The place is one the user chose, here or earlier on this site (a remembered one), not the default. */
  #chosen = false;

  constructor(private readonly ui: FrameChrome, private readonly save: (place: OverlayPlace) => void, signal: AbortSignal) {
    this.#place = defaultPlace(viewport());
    this.#wire(signal);
    this.draw();
  }

  get place(): OverlayPlace {
    return this.#place;
  }

  /**
   * Whether the user placed it (moved, docked, resized or minimised it, here or earlier on this
   * site): then it is told again to a new port. The default place never is, so a site where the
   * user never placed the overlay is not stored (docs/security.md).
   */
  get placed(): boolean {
    return this.#chosen;
  }

  /** The place remembered for this site. The overlay opens restored: the user just asked for it. */
  remembered(place: OverlayPlace | null): void {
    if (this.#received || this.#touched) return;
    this.#received = true;
    if (place) {
      this.#place = { ...place, minimised: false };
      this.#chosen = true;
    }
    this.draw();
  }

  unread(count: number): void {
    const text = count > 0 ? (count > 99 ? '99+' : String(count)) : '';
    this.ui.count.textContent = text;
    this.ui.bubble.setAttribute('aria-label', count > 0 ? `Open chat, ${count} unread` : 'Open chat');
    this.ui.bubble.title = this.ui.bubble.getAttribute('aria-label')!;
  }

  /** Draws the place as it fits the window now. */
  draw(): void {
    const { panel, bubble } = this.ui;
    const view = viewport();
    const p = this.#place;
    panel.hidden = p.minimised;
    bubble.hidden = !p.minimised;
    const box = fitPlace(p, view);
    Object.assign(panel.style, { left: `${box.left}px`, top: `${box.top}px`, width: `${box.width}px`, height: `${box.height}px` });
    panel.classList.toggle('docked', p.side !== null);
    panel.classList.toggle('side-left', p.side === 'left');
    panel.classList.toggle('side-right', p.side === 'right');
    this.ui.dockLeft.setAttribute('aria-pressed', String(p.side === 'left'));
    this.ui.float.setAttribute('aria-pressed', String(p.side === null));
    this.ui.dockRight.setAttribute('aria-pressed', String(p.side === 'right'));
    const b = fitBubble(p, view);
    Object.assign(bubble.style, { left: `${b.left}px`, top: `${b.top}px` });
  }

  #set(place: OverlayPlace, keep = true): void {
    this.#touched = true;
    this.#chosen = true;
    this.#place = place;
    this.draw();
    if (keep) this.save(place);
  }

  /** Floating at `box`, as the window shows it now. */
  #floatAt(box: Box, keep = true): void {
    this.#set({ side: null, left: box.left, top: box.top, width: box.width, height: box.height, minimised: false }, keep);
  }

  #wire(signal: AbortSignal): void {
    const ui = this.ui;
    const trusted = (el: HTMLElement, act: () => void) => el.addEventListener('click', (e) => { if (e.isTrusted) act(); });
    trusted(ui.dockLeft, () => this.#set({ ...this.#place, side: 'left', minimised: false }));
    trusted(ui.dockRight, () => this.#set({ ...this.#place, side: 'right', minimised: false }));
    trusted(ui.float, () => this.#set({ ...this.#place, side: null, minimised: false }));
    trusted(ui.minimise, () => {
      this.#set({ ...this.#place, minimised: true });
      ui.bubble.focus();
    });
    trusted(ui.bubble, () => {
      // Restored, the chat shows the lines: the count starts again from none.
      this.unread(0);
      this.#set({ ...this.#place, minimised: false });
      ui.move.focus();
    });
    const current = () => fitPlace(this.#place, viewport());
    // A drag may take it past the window's edge; what is kept is where it was drawn, inside.
    const settle = () => {
      const b = current();
      const p = this.#place;
      this.#set(p.side === null ? { ...p, left: b.left, top: b.top, width: b.width, height: b.height } : { ...p, width: b.width });
    };
    pointerDrag(ui.move, {
      start: current,
      move: (b, dx, dy) => this.#floatAt({ ...b, left: b.left + dx, top: b.top + dy }, false),
      end: settle,
    });
    arrowKeys(ui.move, (dx, dy) => {
      const b = current();
      this.#floatAt({ ...b, left: b.left + dx, top: b.top + dy });
    });
    const resized = (b: Box, dx: number, dy: number): OverlayPlace => {
      const side = this.#place.side;
      const width = side === 'right' ? b.width - dx : b.width + dx;
      return { ...this.#place, width, height: side === null ? b.height + dy : this.#place.height, left: side === null ? b.left : this.#place.left, top: side === null ? b.top : this.#place.top };
    };
    pointerDrag(ui.grip, {
      start: current,
      move: (b, dx, dy) => this.#set(resized(b, dx, dy), false),
      end: settle,
    });
    arrowKeys(ui.grip, (dx, dy) => this.#set(resized(current(), dx, dy)));
    window.addEventListener('resize', () => this.draw(), { signal });
  }
}
