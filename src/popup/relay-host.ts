/** A relay URL as a room's label shows it: host and any port (the full URL goes in a title). */
export function relayHost(relayUrl: string): string {
  try {
    const url = new URL(relayUrl);
    return url.pathname === '/' ? url.host : `${url.host}${url.pathname}`;
  } catch {
    return relayUrl;
  }
}
