import { useCopy } from './use-copy.ts';

export function CopyCode({ code }: { code: string }) {
  const { copied, copy } = useCopy(code);
  return (
    <div class="pl-code-row">
      <code class="pl-code" data-testid="room-code">{code}</code>
      <button data-testid="copy-code" onClick={copy}>{copied ? 'Copied' : 'Copy'}</button>
      {/* Said aloud: the button's new word alone is not announced. */}
      <span class="pl-sr-only" role="status">{copied ? 'Copied' : ''}</span>
    </div>
  );
}
