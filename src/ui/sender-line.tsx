import { senderLabel } from '../shared/identity-rules.ts';
import type { ChatItem } from '../shared/view-messages.ts';

/** Who wrote a line, as checked in the background: name, a flag if any, and the key's fingerprint. Text only. */
export function SenderLine({ item }: { item: ChatItem }) {
  const { name, flag, fingerprint } = senderLabel(item);
  const unverified = !item.mine && !item.sender?.verified;
  return (
    <>
      <bdi class={`pl-nick${unverified ? ' pl-unverified' : ''}`} data-testid={unverified ? 'unverified' : 'sender'}>{name}</bdi>
      {flag ? <span class="pl-flag" data-testid="other-key">{flag}</span> : null}
      {fingerprint ? <span class="pl-fp" data-testid="fingerprint">{fingerprint}</span> : null}
    </>
  );
}
