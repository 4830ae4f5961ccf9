import { checkSettings } from '../../shared/settings.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';
import { loadSettings } from '../db.ts';
import { probeRelay } from '../relay-probe.ts';
import { wordsContext } from '../relay-status.ts';

export async function saveSettings(bg: Background, msg: Extract<ViewToBackground, { type: 'save-settings' }>, view: ViewPort): Promise<void> {
  const checked = checkSettings(msg.settings ?? { nickname: '', relayUrl: '' });
  if (!checked.ok) {
    bg.post(view, { type: 'error', code: 'BAD_SETTINGS', message: checked.error.message });
    return;
  }
  const before = await loadSettings(bg.db);
  await bg.db.put('settings', checked.value, 'settings');
  const url = checked.value.relayUrl;
  // Another relay has its own limits: learn them again.
  if (url !== before.relayUrl) {
    bg.roomLimit = null;
    bg.roomProblems.clear();
  }
  // A new relay address takes effect at once: the socket reconnects and rejoins every room.
  if ((await bg.db.count('rooms')) > 0) bg.relay.want(url);
  bg.refresh();
  // Outside the serial queue: the answer can take seconds, and nothing else should wait for it.
  void probeRelay(wordsContext(bg, url)).then(({ ok, message, reason }) => {
    // A reason given to the check (CONNECTING_TOO_FAST: the relay now drops our next sockets
    // silently) also explains what the background's own socket meets next.
    bg.relay.heard(url, reason);
    bg.post(view, { type: 'relay-check', url, ok, message });
  });
}
