import { describe, expect, it } from 'vitest';
import { keptOrigin, originPattern, siteOf } from '../../src/shared/kept-origin.ts';

// The rule is docs/security.md, "Keep Parley on a site": each case below is one the doc names.
describe('keptOrigin: a site Parley may be kept on', () => {
  it('takes an http or https origin written as the browser writes it', () => {
    for (const origin of ['https://example.com', 'http://example.com', 'http://127.0.0.1:8080', 'http://[::1]:3000', 'https://xn--bcher-kva.example']) {
      expect(keptOrigin(origin), origin).toBe(origin);
    }
  });

  it('refuses any other scheme', () => {
    for (const origin of ['file:///etc/passwd', 'chrome://extensions', 'ftp://example.com', 'ws://example.com', 'javascript:alert(1)', 'chrome-extension://abc']) {
      expect(keptOrigin(origin), origin).toBeNull();
    }
  });

  it('refuses anything after the host and port: a path (even /), a query, a fragment', () => {
    for (const origin of ['https://example.com/', 'https://example.com/a', 'https://example.com?x=1', 'https://example.com#top']) {
      expect(keptOrigin(origin), origin).toBeNull();
    }
  });

  it('refuses a user name or password, and a host with a wildcard', () => {
    for (const origin of ['https://user@example.com', 'https://user:pw@example.com', 'https://*.example.com', 'https://*']) {
      expect(keptOrigin(origin), origin).toBeNull();
    }
  });

  it('refuses a form the browser would write otherwise', () => {
    for (const origin of ['HTTPS://EXAMPLE.COM', 'https://Example.com', 'https://example.com:443', 'http://example.com:80', ' https://example.com']) {
      expect(keptOrigin(origin), origin).toBeNull();
    }
  });

  it('refuses what is not a string, empty, or longer than 300 characters', () => {
    for (const value of [undefined, null, 42, {}, ['https://example.com'], '']) expect(keptOrigin(value)).toBeNull();
    const long = `https://${'a'.repeat(60)}.${'b'.repeat(60)}.${'c'.repeat(60)}.${'d'.repeat(60)}.${'e'.repeat(60)}.com`;
    expect(long.length).toBeGreaterThan(300);
    expect(keptOrigin(long)).toBeNull();
  });
});

describe('the grant and the script cover that origin only', () => {
  // The doc's examples: "https://example.com:443/* for https://example.com, http://example.com:80/*
  // for http://example.com, and http://127.0.0.1:3000/* for http://127.0.0.1:3000".
  it('makes a match pattern of the origin, port included', () => {
    expect(originPattern('http://127.0.0.1:3000')).toBe('http://127.0.0.1:3000/*');
    expect(originPattern('http://[::1]:3000')).toBe('http://[::1]:3000/*');
  });

  it('names the default port too: a pattern with no port would match every port of the host', () => {
    expect(originPattern('https://example.com')).toBe('https://example.com:443/*');
    expect(originPattern('http://example.com')).toBe('http://example.com:80/*');
    expect(originPattern('http://[::1]')).toBe('http://[::1]:80/*');
  });

  it('finds the site of a page address, and none for a page that is not on the web', () => {
    expect(siteOf('http://127.0.0.1:8080/a/b?c#d')).toBe('http://127.0.0.1:8080');
    expect(siteOf('chrome://newtab/')).toBeNull();
    expect(siteOf(undefined)).toBeNull();
    expect(siteOf('not a url')).toBeNull();
  });
});
