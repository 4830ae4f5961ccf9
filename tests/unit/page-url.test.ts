import { describe, expect, it } from 'vitest';
import { normalisePageUrl } from '../../src/shared/page-url.ts';

// Every expected answer here is read from docs/protocol.md "Normalising a page's address".
const norm = (input: string) => {
  const r = normalisePageUrl(input);
  return r.ok ? r.value : r.error.code;
};

describe('normalising a page address (docs/protocol.md)', () => {
  it('gives the documented examples', () => {
    expect(norm('HTTPS://User:pw@News.Example:443/a/b/?utm_source=x&b=2&a=1#top')).toBe('https://news.example/a/b?a=1&b=2');
    expect(norm('http://example.com')).toBe('http://example.com/');
    expect(norm('http://example.com:8080/')).toBe('http://example.com:8080/');
    expect(norm('https://bücher.example/')).toBe('https://xn--bcher-kva.example/');
    expect(norm('https://example.com/a/./c/../d')).toBe('https://example.com/a/d');
    expect(norm('https://example.com/?fbclid=1&GCLID=2')).toBe('https://example.com/');
    expect(norm('https://example.com/s?q=a b')).toBe('https://example.com/s?q=a+b');
    expect(norm('ftp://example.com/')).toBe('NOT_A_PAGE');
  });

  it('takes only http and https (step 1)', () => {
    for (const bad of ['chrome://settings', 'file:///etc/passwd', 'about:blank', 'javascript:alert(1)', 'data:text/html,x', 'not a url', '']) {
      expect(norm(bad)).toBe('NOT_A_PAGE');
    }
  });

  it('drops default ports and user info, keeps other ports (steps 2, 3)', () => {
    expect(norm('http://example.com:80/x')).toBe('http://example.com/x');
    expect(norm('https://example.com:443/x')).toBe('https://example.com/x');
    expect(norm('https://example.com:80/x')).toBe('https://example.com:80/x');
    expect(norm('https://a:b@example.com/x')).toBe('https://example.com/x');
  });

  it('drops the fragment (step 4)', () => {
    expect(norm('https://example.com/post#comments')).toBe('https://example.com/post');
    expect(norm('https://example.com/post#')).toBe('https://example.com/post');
  });

  it('keeps the path as the parser writes it, a trailing slash only on the root (step 5)', () => {
    expect(norm('https://example.com/docs/')).toBe('https://example.com/docs');
    expect(norm('https://example.com/docs///')).toBe('https://example.com/docs');
    expect(norm('https://example.com//')).toBe('https://example.com/');
    expect(norm('https://example.com/Case/Kept')).toBe('https://example.com/Case/Kept');
    expect(norm('https://example.com/caf\u00e9')).toBe('https://example.com/caf%C3%A9');
    expect(norm('https://example.com/a%2Fb')).toBe('https://example.com/a%2Fb');
  });

  it('drops every documented tracking parameter, in any case, and sorts the rest by name (step 6)', () => {
    const tracking = ['utm_source', 'utm_medium', 'UTM_Campaign', 'utm_whatever', 'fbclid', 'gclid', 'gclsrc', 'dclid', 'gbraid', 'wbraid',
      'msclkid', 'mc_cid', 'mc_eid', 'igshid', '_ga', '_gl', 'ref', 'ref_src', 'ref_url', 'yclid', 'twclid', 'ttclid', 'li_fat_id',
      '_hsenc', '_hsmi', 'mkt_tok', 'oly_anon_id', 'oly_enc_id', 'vero_id', 's_cid', 'si', 'FBCLID'];
    const query = tracking.map((t, i) => `${t}=${i}`).join('&');
    expect(norm(`https://example.com/a?id=7&${query}`)).toBe('https://example.com/a?id=7');
    expect(norm(`https://example.com/a?${query}`)).toBe('https://example.com/a');
    expect(norm('https://example.com/a?z=1&a=2&m=3')).toBe('https://example.com/a?a=2&m=3&z=1');
    expect(norm('https://example.com/a?b=1&a=2&b=0')).toBe('https://example.com/a?a=2&b=1&b=0');
    // Not tracking: a name that only contains one of them.
    expect(norm('https://example.com/a?preference=1&utm=2')).toBe('https://example.com/a?preference=1&utm=2');
    expect(norm('https://example.com/a?')).toBe('https://example.com/a');
  });

  it('gives one address for the links of one page', () => {
    const one = norm('https://news.example/story/42?id=9&page=2');
    for (const link of [
      'https://NEWS.example:443/story/42/?page=2&id=9#comments',
      'https://news.example/story/42?utm_source=x&page=2&fbclid=abc&id=9',
      'https://reader:secret@news.example/story/42?id=9&page=2',
    ]) expect(norm(link)).toBe(one);
    expect(norm('https://news.example/story/43?id=9&page=2')).not.toBe(one);
    expect(norm('http://news.example/story/42?id=9&page=2')).not.toBe(one);
    expect(norm('https://news.example/story/42?id=9&page=3')).not.toBe(one);
  });

  it('refuses an address longer than 2048 characters once normalised (step 7)', () => {
    const base = 'https://example.com/';
    expect(norm(base + 'a'.repeat(2048 - base.length))).toHaveLength(2048);
    expect(norm(base + 'a'.repeat(2049 - base.length))).toBe('TOO_LONG');
    // Tracking parameters do not count: only the normalised address does.
    expect(norm(`${base}${'a'.repeat(2000 - base.length)}?utm_source=${'x'.repeat(3000)}`)).toHaveLength(2000);
  });
});
