// The overlay's chrome, in the content script's closed shadow root. The frame's colour scheme is
// the overlay page's own (light dark, theme.css): where the two differ, Chromium paints an opaque
// backdrop in the frame element's scheme, a white box under a dark chat. Canvas is that scheme's
// page colour, shown until the chat has drawn. The teal and white match the chat's header.
export const FRAME_STYLE = `
  :host { all: initial; }
  .root[hidden], .panel[hidden], .bubble[hidden] { display: none; }
  .panel {
    position: fixed; z-index: 2147483647; display: flex; flex-direction: column; box-sizing: border-box;
    border-radius: 12px; box-shadow: 0 8px 30px rgba(0,0,0,.25); background: Canvas; overflow: hidden;
    color-scheme: light dark;
  }
  .panel.docked { border-radius: 0; }
  .head {
    flex: none; height: 28px; display: flex; align-items: stretch; background: #0f766e; color: #fff;
    font: 12px/1 system-ui, sans-serif;
  }
  button {
    all: unset; box-sizing: border-box; cursor: pointer; color: inherit; font: inherit;
    display: flex; align-items: center; justify-content: center;
  }
  button:focus-visible { outline: 2px solid #fff; outline-offset: -3px; }
  .move { flex: 1; justify-content: flex-start; padding: 0 10px; cursor: grab; touch-action: none; user-select: none; }
  .move:active { cursor: grabbing; }
  .act { width: 30px; font-size: 14px; }
  .act[aria-pressed=true] { background: rgba(255,255,255,.2); }
  .act:hover, .move:hover { background: rgba(255,255,255,.12); }
  iframe { flex: 1; min-height: 0; width: 100%; border: 0; background: Canvas; color-scheme: light dark; }
  .grip {
    position: absolute; bottom: 0; right: 0; width: 16px; height: 16px; cursor: nwse-resize; touch-action: none;
    background: linear-gradient(135deg, transparent 50%, rgba(127,127,127,.7) 50%);
  }
  .grip:focus-visible { outline: 2px solid #2563eb; outline-offset: -2px; }
  .panel.side-left .grip { cursor: ew-resize; }
  .panel.side-right .grip { right: auto; left: 0; cursor: ew-resize; background: linear-gradient(225deg, transparent 50%, rgba(127,127,127,.7) 50%); }
  .bubble {
    position: fixed; z-index: 2147483647; width: 52px; height: 52px; border-radius: 50%; background: #0f766e;
    color: #fff; box-shadow: 0 4px 16px rgba(0,0,0,.3); font: 22px/1 system-ui, sans-serif;
  }
  .bubble:focus-visible { outline: 3px solid #2563eb; outline-offset: 2px; }
  .count {
    position: absolute; top: -4px; right: -4px; min-width: 20px; height: 20px; padding: 0 5px; box-sizing: border-box;
    border-radius: 10px; background: #b91c1c; color: #fff; font: bold 12px/20px system-ui, sans-serif; text-align: center;
  }
  .count:empty { display: none; }
`;
