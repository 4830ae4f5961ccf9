import { linkify } from './linkify.ts';

/** Renders chat text as text nodes (Preact escapes them); links open in a new tab, noopener. */
export function MessageText({ text }: { text: string }) {
  return (
    <span class="pl-text" dir="auto">
      {linkify(text).map((part, i) =>
        part.kind === 'link' ? (
          <a key={i} href={part.href} target="_blank" rel="noopener noreferrer nofollow">{part.text}</a>
        ) : (
          part.text
        ),
      )}
    </span>
  );
}
