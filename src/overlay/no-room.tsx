import browser from 'webextension-polyfill';
import { useState } from 'preact/hooks';

/**
 * The overlay's body when it shows no room (its room was left, or a kept site's room is gone and
 * there was none to fall back to): says so in words, not "Connecting…", and offers the two ways
 * on: a room from the switcher above (when there is one), or the popup to create or join one.
 */
export function NoRoom({ rooms, error }: { rooms: number; error: string | null }) {
  const [failed, setFailed] = useState(false);
  // Chromium opens the popup over the focused window; it refuses when that is not ours to use.
  const open = () => browser.action.openPopup().catch(() => setFailed(true));
  return (
    <div class="pl-log pl-empty pl-no-room" data-testid="overlay-no-room">
      {error ? <p role="alert">{error}</p> : null}
      <p>{rooms > 0
        ? 'This chat has no room. Pick one of your rooms above, or create or join one in Parley.'
        : 'This chat has no room, and you are in none. Create or join one in Parley.'}</p>
      <button data-testid="overlay-open-popup" onClick={open}>Open Parley</button>
      {failed ? <p role="alert">Open Parley from its button in the browser's toolbar.</p> : null}
    </div>
  );
}
