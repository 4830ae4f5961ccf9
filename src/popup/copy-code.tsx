import { useState } from 'preact/hooks';

export function CopyCode({ code }: { code: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <div class="pl-code-row">
      <code class="pl-code" data-testid="room-code">{code}</code>
      <button data-testid="copy-code" onClick={copy}>{copied ? 'Copied' : 'Copy'}</button>
    </div>
  );
}
