// Hostile chat texts. Each must show as exactly the text that was sent. Executable ones all try
// the same three things, which the test watches for: set window.__pwned, retitle the document,
// open a dialog.

import { MAX_TEXT_CHARS } from '../../src/shared/constants.ts';

export const PWN = `window.__pwned=1;document.title='pwned';alert(1)`;

export interface Payload {
  /** What the test is about, for failure messages. */
  name: string;
  text: string;
  /** The http(s) URLs, as written in the text, that must become links (in order); none by default. */
  links?: string[];
  /**
   * One grapheme cluster cannot be broken across lines. Hundreds of combining marks on one letter
   * (shown as boxes when no font has them) make a cluster wider than the bubble: that text may
   * scroll sideways inside its own bubble. Every other text must wrap.
   */
  unbreakable?: true;
}

const P = PWN;
const ZALGO = Array.from({ length: 400 }, (_, i) => String.fromCodePoint(0x300 + (i % 0x70))).join('');

/** A single line as long as a message may be (MAX_TEXT_CHARS) that is itself markup, no spaces, no URL. */
const hugeLine = (() => {
  const unit = `<img/src=x/onerror=${P.replace(/'/g, '')}>`;
  return unit.repeat(Math.ceil(MAX_TEXT_CHARS / unit.length)).slice(0, MAX_TEXT_CHARS);
})();
const longUrl = `https://example.com/${'a'.repeat(3000)}?q=${'b'.repeat(1000)}`;

export const PAYLOADS: Payload[] = [
  // Script and event handlers
  { name: 'script tag', text: `<script>${P}</script>` },
  { name: 'img onerror', text: `<img src=x onerror="${P}">` },
  { name: 'svg onload', text: `<svg onload="${P}"></svg>` },
  { name: 'svg script', text: `<svg><script>${P}</script></svg>` },
  { name: 'svg animate', text: `<svg><animate onbegin="${P}" attributeName=x dur=1s>` },
  { name: 'svg foreignObject', text: `<svg><foreignObject><iframe srcdoc="<script>parent.${P}</script>"></iframe></foreignObject></svg>` },
  { name: 'body onload', text: `<body onload="${P}">` },
  { name: 'input autofocus', text: `<input autofocus onfocus="${P}">` },
  { name: 'details ontoggle', text: `<details open ontoggle="${P}"><summary>x</summary></details>` },
  { name: 'video source onerror', text: `<video><source onerror="${P}"></video>` },
  { name: 'audio onerror', text: `<audio src=x onerror=${P}>` },
  { name: 'marquee onstart', text: `<marquee onstart="${P}">hi</marquee>` },
  { name: 'iframe javascript:', text: `<iframe src="javascript:${P}"></iframe>` },
  { name: 'iframe srcdoc', text: `<iframe srcdoc="<script>${P}</script>"></iframe>` },
  { name: 'object data:', text: `<object data="data:text/html,<script>${P}</script>"></object>` },
  { name: 'embed javascript:', text: `<embed src="javascript:${P}">` },
  { name: 'meta refresh', text: `<meta http-equiv="refresh" content="0;url=javascript:${P}">` },
  { name: 'form action', text: `<form action="javascript:${P}"><button>go</button></form>` },
  { name: 'base href', text: `<base href="javascript:/">` },
  { name: 'math mXSS', text: `<math><mtext><table><mglyph><style><img src=x onerror="${P}">` },
  { name: 'noscript mXSS', text: `<noscript><p title="</noscript><img src=x onerror=${P}>">` },
  { name: 'template', text: `<template><script>${P}</script></template>` },
  // Breaking out of where the text might be placed
  { name: 'attribute breakout "', text: `"><script>${P}</script>` },
  { name: "attribute breakout '", text: `'><img src=x onerror=${P}>` },
  { name: 'textarea breakout', text: `</textarea><script>${P}</script>` },
  { name: 'element breakout', text: `</span></div></main><script>${P}</script>` },
  { name: 'comment trick', text: `<!--<img src="--><img src=x onerror="${P}//">` },
  { name: 'CDATA', text: `<![CDATA[<script>${P}</script>]]>` },
  // URLs that must not become links, and ones that must
  { name: 'javascript: URL', text: `javascript:${P}` },
  { name: 'mixed-case javascript:', text: `JaVaScRiPt:alert(1)` },
  { name: 'javascript: link markup', text: `<a href="javascript:${P}">click me</a>` },
  { name: 'data: URL', text: `data:text/html,<script>${P}</script>` },
  { name: 'data: base64 URL', text: 'data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==' },
  { name: 'vbscript/file/chrome', text: 'vbscript:msgbox(1) file:///etc/passwd chrome://settings about:blank' },
  { name: 'markdown javascript link', text: '[click](javascript:alert(1))' },
  { name: 'zero-width javascript:', text: 'java\u200bscript:alert(1) ht\u200btps://example.com' },
  { name: 'https link with handler markup', text: `<a href="https://example.com/" onclick="${P}">x</a>`, links: ['https://example.com/'] },
  { name: 'link stops at markup', text: 'see https://example.com/path?a=1&b=<script>alert(1)</script>', links: ['https://example.com/path?a=1&b='] },
  { name: 'link stops at quote', text: `http://127.0.0.1:1/"onmouseover="${P}`, links: ['http://127.0.0.1:1/'] },
  { name: 'link and trailing punctuation', text: 'read (https://example.com/a). and https://example.org/b!', links: ['https://example.com/a', 'https://example.org/b'] },
  { name: 'markdown image', text: '![x](https://example.com/x.png)', links: ['https://example.com/x.png'] },
  { name: 'homograph host', text: 'login at https://exаmple.com now', links: ['https://exаmple.com'] },
  { name: 'credentials in URL', text: 'https://user:pass@example.com/', links: ['https://user:pass@example.com/'] },
  { name: 'very long URL', text: longUrl, links: [longUrl] },
  // Template and framework injection
  { name: 'angular template', text: `{{constructor.constructor('${P}')()}}` },
  { name: 'template literal', text: '${alert(document.domain)}' + `\${${P}}` },
  { name: 'mustache arithmetic', text: '{{7*7}} ${7*7} #{7*7} <%= 7*7 %>' },
  { name: 'preact __html', text: `{"__html":"<img src=x onerror=${P}>"} dangerouslySetInnerHTML={{__html:'<b>x</b>'}}` },
  // Encodings that must stay literal
  { name: 'HTML entities', text: `&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=${P}&#62; &amp;` },
  { name: 'percent and JS escapes', text: '%3Cscript%3Ealert(1)%3C%2Fscript%3E \\u003cscript\\u003e \\x3cscript\\x3e' },
  { name: 'fullwidth brackets', text: '＜script＞alert(1)＜/script＞' },
  // CSS
  { name: 'style tag', text: '<style>*{display:none!important} body{background:red}</style>' },
  { name: 'style breakout', text: '</style><style>.pl-msg{display:none}</style>' },
  { name: 'inline style overlay', text: '<div style="position:fixed;inset:0;background:red;z-index:2147483647">covered</div>' },
  { name: 'css expression and import', text: `x{background:url(javascript:${P});width:expression(alert(1))} @import url(//evil.invalid/x.css);` },
  { name: 'link stylesheet', text: '<link rel=stylesheet href=//evil.invalid/x.css>' },
  // Unicode
  { name: 'RTL override', text: '\u202egnp.exe harmless \u202c after' },
  { name: 'unterminated bidi controls', text: '\u202e\u2066abc \u202ddef \u2067ghi \u200f' },
  { name: 'RTL text with link', text: 'שלום https://example.com/שלום עולם', links: ['https://example.com/שלום'] },
  { name: 'zero-width characters', text: 'a\u200bb\u200cc\u200dd\ufeffe\u2060f\u180eg' },
  { name: 'combining flood', text: `Z${ZALGO}A${ZALGO}L${ZALGO}G${ZALGO}O`, unbreakable: true },
  { name: 'combining on one letter', text: `e${'\u0301'.repeat(2000)}`, unbreakable: true },
  { name: 'emoji sequences', text: '👩‍👩‍👧‍👦 🏳️‍🌈 🇺🇳 👍🏽 \u{1F600}\u{1F4A9}' },
  { name: 'whitespace kept', text: '   leading\n\n\ttabbed\n   trailing   ' },
  { name: 'many lines', text: Array.from({ length: 60 }, (_, i) => `line ${i}`).join('\n') },
  // Size
  { name: 'very long word', text: 'W'.repeat(5000) },
  { name: 'longest single line', text: hugeLine },
  { name: 'closing plain message', text: 'the end: all of the above was just text' },
];
