import { useState } from 'preact/hooks';

/** Puts text on the clipboard; `copied` says so until the text to copy changes. */
export function useCopy(text: string): { copied: boolean; copy: () => Promise<void> } {
  const [copiedText, setCopiedText] = useState<string | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setCopiedText(text);
    } catch {
      setCopiedText(null);
    }
  };
  // Keyed on the text: "Copied" beside a new room's invite would claim the old one is the new one.
  return { copied: copiedText === text, copy };
}
