import { FRAME_STYLE } from './frame-style.ts';

/** The elements of the overlay's chrome, built once into the closed shadow root. */
export interface FrameChrome {
  root: HTMLElement;
  panel: HTMLElement;
  move: HTMLButtonElement;
  dockLeft: HTMLButtonElement;
  float: HTMLButtonElement;
  dockRight: HTMLButtonElement;
  minimise: HTMLButtonElement;
  frame: HTMLIFrameElement;
  grip: HTMLButtonElement;
  bubble: HTMLButtonElement;
  count: HTMLElement;
}

function button(cls: string, label: string, text: string): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.className = cls;
  b.setAttribute('aria-label', label);
  b.title = label;
  b.textContent = text;
  return b;
}

/** Builds the panel (a header strip, the chat's frame, a resize grip) and the minimised bubble. */
export function buildChrome(shadow: ShadowRoot, frameUrl: string): FrameChrome {
  const style = document.createElement('style');
  style.textContent = FRAME_STYLE;
  const root = document.createElement('div');
  root.className = 'root';
  const panel = document.createElement('div');
  panel.className = 'panel';
  panel.setAttribute('role', 'region');
  panel.setAttribute('aria-label', 'Parley chat');
  const head = document.createElement('div');
  head.className = 'head';
  const move = button('move', 'Move chat (drag, or arrow keys)', '⠿ Parley');
  const dockLeft = button('act', 'Dock chat to the left', '⇤');
  const float = button('act', 'Float chat', '❐');
  const dockRight = button('act', 'Dock chat to the right', '⇥');
  const minimise = button('act', 'Minimise chat', '–');
  head.append(move, dockLeft, float, dockRight, minimise);
  const frame = document.createElement('iframe');
  frame.title = 'Parley chat';
  frame.src = frameUrl;
  const grip = button('grip', 'Resize chat (drag, or arrow keys)', '');
  panel.append(head, frame, grip);
  const bubble = button('bubble', 'Open chat', '💬');
  bubble.hidden = true;
  const count = document.createElement('span');
  count.className = 'count';
  count.setAttribute('aria-hidden', 'true');
  bubble.append(count);
  root.append(panel, bubble);
  shadow.append(style, root);
  return { root, panel, move, dockLeft, float, dockRight, minimise, frame, grip, bubble, count };
}
