import { useEffect, useState } from 'preact/hooks';
import { parseJoinInput, type JoinInputErrorCode } from '../shared/invite.ts';
import type { ViewToBackground } from '../shared/view-messages.ts';
import type { ViewState } from '../ui/use-background.ts';
import { needsRelayConfirm } from './join-target.ts';
import { pageInvite } from './page-tab.ts';
import { onEscape } from '../ui/escape-closes.ts';

interface Props {
  state: ViewState;
  send: (msg: ViewToBackground) => void;
  open: (roomId: string) => void;
}

/**
 * The Join box: an invite link or a bare code. Read here first, so a bad one is explained in
 * words before anything goes on the network; an invite to a relay this user has never used asks
 * first, in place, since joining tells that relay when the user is online.
 */
export function JoinForm({ state, send, open }: Props) {
  const [text, setText] = useState('');
  const [error, setError] = useState<{ code: JoinInputErrorCode; message: string } | null>(null);
  const [confirmRelay, setConfirmRelay] = useState<string | null>(null);
  /** The text of the join waiting for its relay (Cancel names it again); null while none waits. */
  const [joining, setJoining] = useState<string | null>(null);
  const [fromPage, setFromPage] = useState<string | null>(null);

  // A join opens the room once the relay has confirmed it; a create shows its code first.
  useEffect(() => {
    if (state.ready && !state.ready.created && joining !== null) {
      setJoining(null);
      setText('');
      setFromPage(null);
      open(state.ready.roomId);
    }
  }, [state.ready]);
  useEffect(() => {
    if (state.error) setJoining(null);
  }, [state.error]);
  // The popup opened over an invite's page (the toolbar click lets it read that one tab's URL).
  useEffect(() => {
    let live = true;
    void pageInvite().then((link) => {
      if (live && link) setFromPage(link);
    });
    return () => { live = false; };
  }, []);

  const submit = (input: string) => {
    const parsed = parseJoinInput(input);
    if (!parsed.ok) {
      setError(parsed.error);
      setConfirmRelay(null);
      return;
    }
    setError(null);
    if (needsRelayConfirm(parsed.value, state.settings?.relayUrl ?? null, state.knownRelays)) {
      setConfirmRelay(parsed.value.relayUrl);
      return;
    }
    join(input);
  };
  // The text goes as pasted: the background reads it again, the one place that decides.
  const join = (input: string) => {
    setConfirmRelay(null);
    setJoining(input);
    send({ type: 'join-room', code: input, name: '' });
  };
  // A relay that never answers ends the join by itself (30 s); nobody has to wait that out.
  const cancel = () => {
    if (joining !== null) send({ type: 'cancel-join', code: joining });
    setJoining(null);
  };
  const edit = (value: string) => {
    setText(value);
    setError(null);
    setConfirmRelay(null);
  };

  return (
    <form class="pl-join" onSubmit={(e) => { e.preventDefault(); submit(text); }} noValidate>
      {fromPage && text !== fromPage ? (
        <button type="button" class="pl-page-invite" data-testid="page-invite-join" onClick={() => { edit(fromPage); submit(fromPage); }}>
          Join the room from this page's invite
        </button>
      ) : null}
      <label for="pl-code">Join with an invite or a code</label>
      <div class="pl-row">
        <input
          id="pl-code" data-testid="join-code" value={text} autocomplete="off" spellcheck={false}
          placeholder="https://…/join#… or XXXX-XXXX-…" aria-invalid={error ? 'true' : 'false'}
          aria-describedby={error ? 'pl-code-error' : undefined}
          onInput={(e) => edit(e.currentTarget.value)}
        />
        <button type="submit" data-testid="join" disabled={joining !== null || confirmRelay !== null}>{joining !== null ? 'Joining…' : 'Join'}</button>
        {joining !== null ? <button type="button" class="pl-secondary" data-testid="join-cancel" onClick={cancel}>Cancel</button> : null}
      </div>
      {error ? <p class="pl-field-error" id="pl-code-error" role="alert" data-testid="code-error" data-code={error.code}>{error.message}</p> : null}
      {confirmRelay ? (
        <div class="pl-relay-confirm" role="alertdialog" aria-labelledby="pl-relay-confirm-text" data-testid="relay-confirm" onKeyDown={onEscape(() => setConfirmRelay(null))}>
          <p id="pl-relay-confirm-text">
            This room is on a relay you have not used: <code class="pl-relay-url" data-testid="relay-confirm-url">{confirmRelay}</code>.
            {' '}That relay will see when you are online and in this room, never what you write. Join?
          </p>
          <div class="pl-row">
            <button type="button" data-testid="relay-confirm-join" onClick={() => join(text)}>Join</button>
            <button type="button" class="pl-secondary" data-testid="relay-confirm-cancel" onClick={() => setConfirmRelay(null)}>Cancel</button>
          </div>
        </div>
      ) : null}
    </form>
  );
}
