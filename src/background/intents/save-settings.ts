import { checkSettings } from '../../shared/settings.ts';
import type { ViewToBackground } from '../../shared/view-messages.ts';
import type { Background, ViewPort } from '../context.ts';

export async function saveSettings(bg: Background, msg: Extract<ViewToBackground, { type: 'save-settings' }>, view: ViewPort): Promise<void> {
  const checked = checkSettings(msg.settings ?? { nickname: '', relayUrl: '' });
  if (!checked.ok) {
    bg.post(view, { type: 'error', code: 'BAD_SETTINGS', message: checked.error.message });
    return;
  }
  await bg.db.put('settings', checked.value, 'settings');
  // A new relay address takes effect at once: the socket reconnects and rejoins every room.
  if ((await bg.db.count('rooms')) > 0) bg.relay.want(checked.value.relayUrl);
  bg.refresh();
}
