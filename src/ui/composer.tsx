import { useEffect, useRef, useState } from 'preact/hooks';
import { senderLabel } from '../shared/identity-rules.ts';
import type { ChatItem } from '../shared/view-messages.ts';
import './composer-modes.css';
import { MAX_TEXT_CHARS } from '../shared/constants.ts';

/** From here on the box shows how much room is left, so reaching the limit is no surprise. */
const WARN_AT = Math.floor(MAX_TEXT_CHARS * 0.9);
const count = (n: number) => n.toLocaleString('en');

/**
 * Enter sends, Shift+Enter starts a new line (and IME composition is left alone). The box takes
 * any length: a paste over the limit stays whole and is explained, instead of being cut silently
 * (what the textarea's maxLength would do).
 */
interface ComposerProps {
  onSend: (text: string) => void;
  disabled?: boolean;
  /** The line being answered: shown above the box, with a way to stop answering. */
  replyTo?: ChatItem | null;
  /** One of our lines being edited: the box holds its text, and sending saves the edit. */
  editing?: ChatItem | null;
  /** Stop answering or editing. */
  onCancel?: () => void;
  /** Up arrow in an empty box: edit our last message. */
  onEditLast?: () => void;
  /** Whether the box holds text: the background turns it into a throttled typing state. */
  onTyping?: (typing: boolean) => void;
  /** "Don't store my messages on the relay" is on: a notice above the box says who gets them. */
  directOnly?: boolean;
}

/** Said above the composer while Settings.directOnly is on. */
export const DIRECT_ONLY_NOTICE = 'Not stored on the relay: only members connected directly to you get your messages.';

export function Composer({ onSend, onTyping, disabled, replyTo = null, editing = null, onCancel, onEditLast, directOnly = false }: ComposerProps) {
  const [text, setText] = useState('');
  // Only when editing starts or ends, never on mount: the effect runs after paint, and keys typed
  // the moment a room opens (the focus is already in the box) would be wiped.
  const editingId = editing?.id ?? null;
  const shownFor = useRef(editingId);
  useEffect(() => {
    if (shownFor.current === editingId) return;
    shownFor.current = editingId;
    setText(editing ? editing.text : '');
  }, [editingId]);
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
    <form class={`pl-composer${editing ? ' pl-editing' : ''}`} onSubmit={(e) => { e.preventDefault(); send(e.currentTarget.querySelector('textarea')!.value); }}>
      {directOnly ? <p class="pl-composer-mode" data-testid="direct-only-notice">{DIRECT_ONLY_NOTICE}</p> : null}
      {replyTo && !editing ? (
        <div class="pl-composer-mode" data-testid="replying-to">
          <span>Replying to <bdi>{senderLabel(replyTo).name}</bdi>: <span class="pl-composer-mode-text" dir="auto">{replyTo.text.slice(0, 100)}</span></span>
          <button type="button" class="pl-link-button" data-testid="cancel-reply" aria-label="Cancel the reply" onClick={onCancel}>Cancel</button>
        </div>
      ) : null}
      {editing ? (
        <div class="pl-composer-mode" data-testid="editing">
          <span>Editing your message</span>
          <button type="button" class="pl-link-button" data-testid="cancel-edit" aria-label="Cancel editing" onClick={onCancel}>Cancel</button>
        </div>
      ) : null}
      <textarea
        data-testid="composer"
        aria-label="Message"
        aria-invalid={tooLong}
        aria-describedby={text.length >= WARN_AT ? 'pl-composer-length' : undefined}
        data-autofocus
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
          if (e.key === 'Escape' && (replyTo || editing)) {
            e.preventDefault();
            onCancel?.();
          } else if (e.key === 'ArrowUp' && e.currentTarget.value === '' && !editing && onEditLast) {
            e.preventDefault();
            onEditLast();
          } else if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            send(e.currentTarget.value);
          }
        }}
      />
      <button type="submit" data-testid="send" disabled={disabled || text.trim().length === 0 || tooLong}>{editing ? 'Save' : 'Send'}</button>
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
