// The Origin header is the only thing that stops any web page the user visits from opening a
// socket to the relay with the user's network position. Extensions and native clients are welcome.

export type OriginPolicy = (origin: string | undefined) => boolean;

/** Entries as in config.allowedOrigins: exact origins, `scheme://*`, `none`, `*`. */
export function originPolicy(entries: readonly string[]): OriginPolicy {
  const lowered = entries.map((entry) => entry.toLowerCase());
  const anyOrigin = lowered.includes('*');
  const noOrigin = anyOrigin || lowered.includes('none');
  const schemes = lowered.filter((entry) => entry.endsWith('://*')).map((entry) => entry.slice(0, -1));
  const exact = new Set(lowered.filter((entry) => entry.includes('://') && !entry.endsWith('://*')));
  return (origin) => {
    if (origin === undefined) return noOrigin;
    const candidate = origin.toLowerCase();
    return anyOrigin || exact.has(candidate) || schemes.some((scheme) => candidate.startsWith(scheme));
  };
}
