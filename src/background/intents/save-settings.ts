import { checkSettings } from '../../shared/settings.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { probeRelay } from '../relay-probe.ts';
import { wordsContext } from '../relay-status.ts';
import { announceEverywhere } from '../presence.ts';
import { trimAllRooms } from '../retention.ts';
import { directEverywhere } from '../direct-path.ts';

export async function saveSettings(bg: Background, msg: Extract<ViewToBackground, { type: 'save-settings' }>, view: ViewPort): Promise<void> {
  const checked = checkSettings(msg.settings ?? { nickname: '', relayUrl: '' });
  if (!checked.ok) {
    bg.post(view, { type: 'error', code: 'BAD_SETTINGS', message: checked.error.message });
    return;
  }
  const keepChanged = checked.value.keepPerRoom !== bg.mem.settings.keepPerRoom;
  await bg.db.put('settings', checked.value, 'settings');
  const renamed = bg.mem.settings.nickname !== checked.value.nickname;
  bg.mem.settings = checked.value;
  // Presence rule 3: members see the new name without waiting for a message.
  if (renamed) await announceEverywhere(bg);
  if (keepChanged) await trimAllRooms(bg); // retention.ts
  directEverywhere(bg);
  const url = checked.value.relayUrl;
  // The default relay is for new rooms only: every stored room stays on the relay it lives on.
  bg.refresh();
  // Outside the serial queue: the answer can take seconds, and nothing else should wait for it.
  void probeRelay(wordsContext(bg.links.get(url) ?? { url, roomLimit: null })).then(({ ok, message, reason }) => {
    // A reason given to the check (CONNECTING_TOO_FAST: the relay now drops our next sockets
    // silently) also explains what the background's own socket meets next.
    bg.links.heard(url, reason);
    bg.post(view, { type: 'relay-check', url, ok, message });
  });
}
