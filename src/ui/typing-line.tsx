import './typing-line.css';

/** "Ana is typing…", "Ana and Bob are typing…", "Ana, Bob and 2 others are typing…". */
export function typingWords(names: string[]): string {
  if (names.length === 0) return '';
  if (names.length === 1) return `${names[0]} is typing…`;
  if (names.length === 2) return `${names[0]} and ${names[1]} are typing…`;
  if (names.length === 3) return `${names[0]}, ${names[1]} and ${names[2]} are typing…`;
  return `${names[0]}, ${names[1]} and ${names.length - 2} others are typing…`;
}

/** Always in the DOM (empty when nobody types) so a screen reader's polite live region hears each change. */
export function TypingLine({ typing }: { typing: string[] }) {
  return (
    <p class="pl-typing" data-testid="typing" aria-live="polite">
      <bdi>{typingWords(typing)}</bdi>
    </p>
  );
}
