import { MAX_PAGE_URL_CHARS, MAX_QUOTE_CHARS, MAX_QUOTE_CONTEXT_CHARS } from '../shared/constants.ts';

export interface SelectionAnswer { text: string; url: string; prefix: string; suffix: string }

const squash = (s: string): string => s.replace(/\s+/g, ' ');

/** The last `max` characters of `s`, cut back to whole words (a text fragment matches words). */
function wordsAtEnd(s: string, max: number): string {
  const t = squash(s).trimEnd();
  if (t.length <= max) return t.trimStart();
  const cut = t.slice(t.length - max);
  const space = cut.indexOf(' ');
  return space === -1 ? '' : cut.slice(space + 1);
}

function wordsAtStart(s: string, max: number): string {
  const t = squash(s).trimStart();
  if (t.length <= max) return t.trimEnd();
  const cut = t.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return space === -1 ? '' : cut.slice(0, space);
}

/**
 * The block (paragraph, heading, list item...) a node is in. The context is taken from the
 * passage's own block only: text from a neighbouring block is joined without a space by
 * Range.toString, and a text fragment's prefix and suffix do not reach across blocks anyway.
 */
function blockOf(node: Node): Node {
  const body = document.body ?? document.documentElement;
  let el = node.nodeType === Node.ELEMENT_NODE ? (node as Element) : node.parentElement;
  while (el && el !== body && /^inline|^contents$/.test(getComputedStyle(el).display)) el = el.parentElement;
  return el ?? body;
}

/**
 * What "Quote the page" takes: the selected text (trimmed, at most MAX_QUOTE_CHARS), this page's
 * address, and up to MAX_QUOTE_CONTEXT_CHARS of whole words before and after it in its block, so a text
 * fragment can find this occurrence of the passage. Nothing selected: empty text and context.
 */
export function readSelection(): SelectionAnswer {
  const url = location.href.length <= MAX_PAGE_URL_CHARS ? location.href : location.origin + location.pathname;
  const none = { text: '', url: url.length <= MAX_PAGE_URL_CHARS ? url : location.origin + '/', prefix: '', suffix: '' };
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return none;
  const text = squash(sel.toString()).trim().slice(0, MAX_QUOTE_CHARS).trim();
  if (!text) return none;
  const range = sel.getRangeAt(0);
  const before = document.createRange();
  before.setStart(blockOf(range.startContainer), 0);
  before.setEnd(range.startContainer, range.startOffset);
  const after = document.createRange();
  const end = blockOf(range.endContainer);
  after.setStart(range.endContainer, range.endOffset);
  after.setEnd(end, end.childNodes.length);
  return {
    ...none, text,
    prefix: wordsAtEnd(before.toString(), MAX_QUOTE_CONTEXT_CHARS),
    suffix: wordsAtStart(after.toString(), MAX_QUOTE_CONTEXT_CHARS),
  };
}
