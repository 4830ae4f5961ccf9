import { MAX_QUOTE_CHARS, MAX_QUOTE_CONTEXT_CHARS } from '../shared/constants.ts';

export interface SelectionAnswer { text: string; url: string; prefix: string; suffix: string }

/**
 * The block (paragraph, heading, list item...) a node is in. The context is taken from the
 * passage's own block only: Range.toString joins a neighbouring block without a space
 * ("somethingSome"), and a text fragment's prefix and suffix do not reach across blocks anyway.
 */
function blockOf(node: Node): Node {
  const body = document.body ?? document.documentElement;
  let el = node.nodeType === Node.ELEMENT_NODE ? (node as Element) : node.parentElement;
  while (el && el !== body && /^inline|^contents$/.test(getComputedStyle(el).display)) el = el.parentElement;
  return el ?? body;
}

/**
 * What "Quote the page" reads (get-selection): the selection as the page renders it, line breaks
 * kept (a passage over two paragraphs becomes a text-fragment range), this page's address, and the
 * text around it in its block. Raw on purpose: the background cleans, widens to whole words and cuts
 * it by docs/protocol.md "A quoted passage" (it trusts none of this), so the text goes a little past
 * MAX_QUOTE_CHARS, for the words cut off to start the suffix. Nothing selected: empty text.
 */
export function readSelection(): SelectionAnswer {
  const url = location.href;
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return { text: '', url, prefix: '', suffix: '' };
  const range = sel.getRangeAt(0);
  const text = sel.toString().slice(0, MAX_QUOTE_CHARS + 200);
  const before = document.createRange();
  before.setStart(blockOf(range.startContainer), 0);
  before.setEnd(range.startContainer, range.startOffset);
  const after = document.createRange();
  const end = blockOf(range.endContainer);
  after.setStart(range.endContainer, range.endOffset);
  after.setEnd(end, end.childNodes.length);
  return { text, url, prefix: before.toString().slice(-MAX_QUOTE_CONTEXT_CHARS), suffix: after.toString().slice(0, MAX_QUOTE_CONTEXT_CHARS) };
}
