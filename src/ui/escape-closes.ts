/**
 * Escape closes what was opened: a <details> (its summary gets the focus back, so the keyboard
 * user is where they were) or anything with a close callback. Stops there, so one Escape closes
 * one thing, the innermost.
 */
export function closeDetailsOnEscape(e: KeyboardEvent): void {
  const details = e.currentTarget as HTMLDetailsElement;
  if (e.key !== 'Escape' || !details.open) return;
  e.stopPropagation();
  details.open = false;
  details.querySelector('summary')?.focus();
}

/** For a panel, menu or question closed by a callback: `onKeyDown={onEscape(close)}`. */
export function onEscape(close: () => void): (e: KeyboardEvent) => void {
  return (e) => {
    if (e.key !== 'Escape') return;
    e.stopPropagation();
    close();
  };
}
