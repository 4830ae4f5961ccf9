import { useState } from 'preact/hooks';
import { checkSettings } from '../shared/settings.ts';
import type { Settings, ViewToBackground } from '../shared/view-messages.ts';

export function SettingsForm({ settings, send, done }: { settings: Settings; send: (m: ViewToBackground) => void; done: () => void }) {
  const [nickname, setNickname] = useState(settings.nickname);
  const [relayUrl, setRelayUrl] = useState(settings.relayUrl);
  const [error, setError] = useState<string | null>(null);
  const save = (e: Event) => {
    e.preventDefault();
    const checked = checkSettings({ nickname, relayUrl });
    if (!checked.ok) {
      setError(checked.error.message);
      return;
    }
    send({ type: 'save-settings', settings: checked.value });
    done();
  };
  return (
    <form class="pl-settings" onSubmit={save} noValidate>
      <label for="pl-nick">Nickname (sealed inside each message)</label>
      <input id="pl-nick" data-testid="nickname" value={nickname} maxLength={40} onInput={(e) => setNickname(e.currentTarget.value)} />
      <label for="pl-relay">Relay address</label>
      <input id="pl-relay" data-testid="relay-url" value={relayUrl} spellcheck={false} onInput={(e) => setRelayUrl(e.currentTarget.value)} />
      {error ? <p class="pl-field-error" role="alert" data-testid="settings-error">{error}</p> : null}
      <button type="submit" data-testid="save-settings">Save</button>
    </form>
  );
}
