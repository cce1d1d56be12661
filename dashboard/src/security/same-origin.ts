/**
 * Whether a request comes from a page of this server. A browser names the page's origin in
 * `Origin` (and `Sec-Fetch-Site`); a script without either is judged by its credentials alone.
 * Never throws: `Origin: null` (sandboxed frames, file://) and garbage are simply other origins.
 */
import type { IncomingHttpHeaders } from 'node:http';

export function sameOrigin(headers: IncomingHttpHeaders): boolean {
  const site = headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return false;
  const origin = headers.origin;
  if (origin === undefined) return true;
  if (typeof origin !== 'string' || !headers.host) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === new URL(`http://${headers.host}`).host;
  } catch {
    return false;
  }
}
