import { useState } from 'preact/hooks';
import { checkSettings } from '../shared/settings.ts';
import type { Settings, ViewToBackground } from '../shared/view-messages.ts';

// Shown on the room list while the nickname is '' (first run). It never blocks anything: "Later"
// hides it for this popup, and the Settings form sets the nickname too.

export function NicknamePrompt({ settings, send }: { settings: Settings; send: (m: ViewToBackground) => void }) {
  const [nickname, setNickname] = useState('');
  const [later, setLater] = useState(false);
  const [error, setError] = useState<string | null>(null);
  if (later) return null;
  const save = (e: Event) => {
    e.preventDefault();
    const checked = checkSettings({ ...settings, nickname });
    if (!checked.ok) return setError(checked.error.message);
    if (checked.value.nickname === '') return setError('Type a name, or choose Later.');
    setError(null);
    send({ type: 'save-settings', settings: checked.value });
  };
  return (
    <section class="pl-first-run" data-testid="nickname-prompt" aria-labelledby="pl-first-run-title">
      <p id="pl-first-run-title">What should others in your rooms call you?</p>
      <form onSubmit={save} noValidate>
        <input data-testid="first-nickname" aria-label="Your nickname" value={nickname} maxLength={40} onInput={(e) => setNickname(e.currentTarget.value)} />
        <button type="submit" data-testid="save-first-nickname">Save</button>
        <button type="button" data-testid="nickname-later" onClick={() => setLater(true)}>Later</button>
      </form>
      {error ? <p class="pl-field-error" role="alert" data-testid="first-nickname-error">{error}</p> : null}
    </section>
  );
}
