// "Keep Parley on a site": the one site a grant covers, as the popup asks for it and the background
// checks it (docs/security.md, "Keep Parley on a site"). Shared so both read it the same way.

/** The most kept sites one installation holds (each is a permission and a registered script). */
export const MAX_KEPT_SITES = 50;
/** A kept origin's longest form: the host name limit and a scheme and port beside it. */
export const MAX_ORIGIN_CHARS = 300;

/**
 * `value` if it is a site Parley may be kept on: a string written exactly as the browser writes an
 * origin (lower-case scheme and host, no default port, no trailing slash), http or https, with no
 * user, path, query, fragment or wildcard. Anything else: null.
 */
export function keptOrigin(value: unknown): string | null {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_ORIGIN_CHARS) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  // A '*' would turn the permission asked for into a wildcard over every subdomain.
  if (url.hostname === '' || url.hostname.includes('*')) return null;
  return url.origin === value ? value : null;
}

/** The site of a page's address (its origin), if it is one Parley may be kept on. */
export function siteOf(pageUrl: string | undefined | null): string | null {
  if (!pageUrl) return null;
  try {
    return keptOrigin(new URL(pageUrl).origin);
  } catch {
    return null;
  }
}

/**
 * The match pattern of a kept origin, for the permission and the registered script: that origin
 * only, its port always named, the default one too (docs/security.md): a Chromium pattern with no
 * port matches every port of the host.
 */
export function originPattern(origin: string): string {
  const url = new URL(origin);
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.protocol}//${url.hostname}:${port}/*`;
}

/**
 * Whether `pattern` is one an older Parley asked for: an http(s) host with no port, `/*` (it covers
 * every port of the host). Such a grant is taken back on a worker start (kept-sites.ts).
 */
export function isWidePattern(pattern: string): boolean {
  return /^https?:\/\/(\[[0-9a-f:.]+\]|[^/:*[\]]+)\/\*$/i.test(pattern);
}
