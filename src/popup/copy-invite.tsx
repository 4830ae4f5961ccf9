import { useCopy } from './use-copy.ts';

/**
 * The room's invite link, shown in full so a person can check which relay it points at before
 * sending it, with a button that copies it.
 */
export function CopyInvite({ invite }: { invite: string }) {
  const { copied, copy } = useCopy(invite);
  return (
    <div class="pl-code-row">
      <code class="pl-code pl-invite" data-testid="room-invite">{invite}</code>
      <button data-testid="copy-invite" onClick={copy}>{copied ? 'Copied' : 'Copy invite'}</button>
      {/* Said aloud: the button's new word alone is not announced. */}
      <span class="pl-sr-only" role="status">{copied ? 'Copied' : ''}</span>
    </div>
  );
}
