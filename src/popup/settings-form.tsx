import { useEffect, useState } from 'preact/hooks';
import { checkSettings, iceServerLines, parseIceServerLines } from '../shared/settings.ts';
import { MAX_KEEP_PER_ROOM, MIN_KEEP_PER_ROOM } from '../shared/constants.ts';
import type { KeptSiteSummary, Settings, ViewToBackground } from '../shared/view-messages.ts';
import { KeptSitesList } from './kept-sites-list.tsx';

interface Props {
  settings: Settings;
  /** The background's answer for the address saved last: did a Parley relay answer there? */
  check: { url: string; ok: boolean; message: string } | null;
  send: (m: ViewToBackground) => void;
  done: () => void;
  /** Sites Parley is kept on, listed with a Remove each. */
  keptSites?: KeptSiteSummary[];
  /** Why the browser refused a direct connection, in words (the state message's directProblem). */
  directProblem?: string;
  /** Set when this browser cannot make direct connections at all: the box is shown off and disabled, with these words. */
  directUnavailable?: string;
}

export function SettingsForm({ settings, check, send, done, keptSites = [], directProblem, directUnavailable }: Props) {
  const [nickname, setNickname] = useState(settings.nickname);
  const [relayUrl, setRelayUrl] = useState(settings.relayUrl);
  const [notifications, setNotifications] = useState(settings.notifications);
  const [notifyNote, setNotifyNote] = useState<string | null>(null);
  // Asked when the user turns them on, never at install (src/background/notifications.ts).
  const toggleNotifications = async (on: boolean) => {
    setNotifyNote(null);
    if (!on) return setNotifications(false);
    const answer = typeof Notification === 'undefined' ? 'denied' : await Notification.requestPermission();
    if (answer === 'granted') return setNotifications(true);
    setNotifications(false);
    setNotifyNote('This browser blocks notifications from Parley. Allow them in the browser\'s site settings for Parley, then try again.');
  };
  const [keepPerRoom, setKeepPerRoom] = useState(String(settings.keepPerRoom));
  const [direct, setDirect] = useState(settings.directConnections === true);
  const [directOnly, setDirectOnly] = useState(settings.directOnly === true);
  const [iceText, setIceText] = useState(iceServerLines(settings.iceServers ?? []));
  const [error, setError] = useState<string | null>(null);
  // The address being checked: the form stays until the relay answered, and says why if it did not.
  const [checking, setChecking] = useState<string | null>(null);
  useEffect(() => {
    if (checking !== null && check?.url === checking && check.ok) done();
  }, [check, checking]);
  const save = (e: Event) => {
    e.preventDefault();
    const checked = checkSettings({ ...settings, nickname, relayUrl, notifications, keepPerRoom: Number(keepPerRoom), directConnections: direct, iceServers: parseIceServerLines(iceText), ...(directOnly ? { directOnly: true as const } : { directOnly: undefined }) });
    if (!checked.ok) {
      setError(checked.error.message);
      return;
    }
    setError(null);
    setChecking(checked.value.relayUrl);
    send({ type: 'save-settings', settings: checked.value });
  };
  const answer = checking !== null && check?.url === checking ? check : null;
  return (
    <form class="pl-settings" onSubmit={save} noValidate>
      <label for="pl-nick">Nickname (sealed inside each message)</label>
      <input id="pl-nick" data-testid="nickname" data-autofocus value={nickname} maxLength={40} onInput={(e) => setNickname(e.currentTarget.value)} />
      <label for="pl-relay">Relay address for new rooms</label>
      <input id="pl-relay" data-testid="relay-url" aria-describedby="pl-relay-note" value={relayUrl} spellcheck={false} onInput={(e) => { setRelayUrl(e.currentTarget.value); setChecking(null); }} />
      {/* A room lives on the relay it was made or joined on: changing this moves none of them. */}
      <p id="pl-relay-note" class="pl-field-note" data-testid="relay-url-note">Used for rooms you create, and codes you join without an invite link. Your rooms stay on their own relays.</p>
      <label class="pl-check">
        <input type="checkbox" data-testid="notifications" checked={notifications} onChange={(e) => void toggleNotifications(e.currentTarget.checked)} />
        Desktop notifications for new messages in rooms you are not looking at
      </label>
      {notifyNote ? <p class="pl-field-error" role="alert" data-testid="notifications-note">{notifyNote}</p> : null}
      <label for="pl-keep">Messages kept per room on this device</label>
      <input id="pl-keep" data-testid="keep-per-room" type="number" inputMode="numeric" min={MIN_KEEP_PER_ROOM} max={MAX_KEEP_PER_ROOM} step={100} value={keepPerRoom} onInput={(e) => setKeepPerRoom(e.currentTarget.value)} />
      <label class="pl-check">
        {/* Where the browser cannot make them, the box says so rather than doing nothing when ticked. */}
        <input type="checkbox" data-testid="direct-connections" checked={direct && !directUnavailable} disabled={Boolean(directUnavailable)} aria-describedby={directUnavailable ? 'pl-direct-unavailable' : undefined} onChange={(e) => setDirect(e.currentTarget.checked)} />
        Direct connections: messages go straight to members who are online (and through the relay too)
      </label>
      {directUnavailable ? <p id="pl-direct-unavailable" class="pl-field-note" data-testid="direct-unavailable">{directUnavailable}</p> : null}
      {/* Means something only over direct connections: checkSettings drops it without them. */}
      <label class="pl-check">
        <input type="checkbox" data-testid="direct-only" aria-describedby="pl-direct-only-note" checked={direct && directOnly && !directUnavailable} disabled={!direct || Boolean(directUnavailable)} onChange={(e) => setDirectOnly(e.currentTarget.checked)} />
        Don't store my messages on the relay
      </label>
      <p id="pl-direct-only-note" class="pl-field-note" data-testid="direct-only-note">Members get your messages only while they are connected directly to you. Nothing you send is kept on the relay, so members who are offline, or connected only through the relay, do not get them.</p>
      {direct && !directUnavailable ? (
        <>
          <label for="pl-ice">STUN/TURN servers, one per line (address, then user name and password for TURN); none needed on one network</label>
          <textarea id="pl-ice" data-testid="ice-servers" rows={2} spellcheck={false} value={iceText} onInput={(e) => setIceText(e.currentTarget.value)} />
          {directProblem ? <p class="pl-field-error" role="alert" data-testid="direct-problem">{directProblem}</p> : null}
        </>
      ) : null}
      {error ? <p class="pl-field-error" role="alert" data-testid="settings-error">{error}</p> : null}
      {checking !== null && !answer ? <p class="pl-field-note" role="status" data-testid="relay-check">Saved. Asking the relay…</p> : null}
      {answer && !answer.ok ? (
        <p class="pl-field-error" role="alert" data-testid="relay-check" data-ok="false">Saved. {answer.message}</p>
      ) : null}
      <button type="submit" data-testid="save-settings">Save</button>
      <KeptSitesList keptSites={keptSites} send={send} />
    </form>
  );
}
