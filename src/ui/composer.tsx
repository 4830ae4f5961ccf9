import { useState } from 'preact/hooks';
import { MAX_TEXT_CHARS } from '../shared/constants.ts';

/** Enter sends, Shift+Enter starts a new line (and IME composition is left alone). */
export function Composer({ onSend, disabled }: { onSend: (text: string) => void; disabled?: boolean }) {
  const [text, setText] = useState('');
  // Reads the box itself, not the last rendered state: fast typists (and pastes) can press Enter
  // before the newest input has been rendered.
  const send = (value: string) => {
    if (value.trim().length === 0) return;
    onSend(value);
    setText('');
  };
  return (
    <form class="pl-composer" onSubmit={(e) => { e.preventDefault(); send(e.currentTarget.querySelector('textarea')!.value); }}>
      <textarea
        data-testid="composer"
        aria-label="Message"
        placeholder="Message (Enter to send, Shift+Enter for a new line)"
        rows={2}
        maxLength={MAX_TEXT_CHARS}
        value={text}
        disabled={disabled}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            send(e.currentTarget.value);
          }
        }}
      />
      <button type="submit" data-testid="send" disabled={disabled || text.trim().length === 0}>Send</button>
    </form>
  );
}
