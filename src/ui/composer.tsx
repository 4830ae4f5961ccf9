import { useState } from 'preact/hooks';
import { MAX_TEXT_CHARS } from '../shared/constants.ts';

/** From here on the box shows how much room is left, so reaching the limit is no surprise. */
const WARN_AT = Math.floor(MAX_TEXT_CHARS * 0.9);
const count = (n: number) => n.toLocaleString('en');

/**
 * Enter sends, Shift+Enter starts a new line (and IME composition is left alone). The box takes
 * any length: a paste over the limit stays whole and is explained, instead of being cut silently
 * (what the textarea's maxLength would do).
 */
export function Composer({ onSend, onTyping, disabled }: { onSend: (text: string) => void; onTyping?: (typing: boolean) => void; disabled?: boolean }) {
  const [text, setText] = useState('');
  // Reads the box itself, not the last rendered state: fast typists (and pastes) can press Enter
  // before the newest input has been rendered.
  const send = (value: string) => {
    if (value.trim().length === 0) return;
    if (value.length > MAX_TEXT_CHARS) {
      setText(value); // shows why nothing was sent
      return;
    }
    onSend(value);
    onTyping?.(false);
    setText('');
  };
  const tooLong = text.length > MAX_TEXT_CHARS;
  return (
    <form class="pl-composer" onSubmit={(e) => { e.preventDefault(); send(e.currentTarget.querySelector('textarea')!.value); }}>
      <textarea
        data-testid="composer"
        aria-label="Message"
        aria-invalid={tooLong}
        aria-describedby="pl-composer-length"
        placeholder="Message (Enter to send, Shift+Enter for a new line)"
        rows={2}
        value={text}
        disabled={disabled}
        onInput={(e) => {
          setText(e.currentTarget.value);
          // The background throttles what goes out (presence.ts, rule 4).
          onTyping?.(e.currentTarget.value.trim().length > 0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            send(e.currentTarget.value);
          }
        }}
      />
      <button type="submit" data-testid="send" disabled={disabled || text.trim().length === 0 || tooLong}>Send</button>
      {text.length >= WARN_AT && (
        <p
          id="pl-composer-length"
          data-testid="composer-length"
          class={tooLong ? 'pl-composer-length pl-too-long' : 'pl-composer-length'}
          role={tooLong ? 'alert' : undefined}
        >
          {tooLong
            ? `Too long to send: ${count(text.length)} characters, and a message holds at most ${count(MAX_TEXT_CHARS)}. Shorten it or split it into several messages.`
            : `${count(text.length)} of ${count(MAX_TEXT_CHARS)} characters`}
        </p>
      )}
    </form>
  );
}
