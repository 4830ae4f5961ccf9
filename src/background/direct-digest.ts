import { toBase64Url } from '../shared/base64url.ts';

/**
 * The SHA-256 of a sealed body, base64url: what a line that came over a data channel keeps so the
 * relay's copy under the same id can be checked to be the same body (direct-path.ts rule 7).
 */
export async function bodyDigest(body: string): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(body))));
}
