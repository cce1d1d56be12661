/**
 * For a screen nobody touches (the wall): whether the server now serves another version of this
 * page. The page's HTML is fetched again, then every script and stylesheet it names at this origin,
 * all bypassing the cache, and their text is hashed. A reload is safe only right after such a fetch
 * succeeded: a reload while the server is down leaves the browser's own error page on the TV, which
 * no script can take away again.
 */

export interface PageCheck {
  /** a hash of the page and the files it loads, as the server serves them now */
  fingerprint: string;
  /** the server's clock less this one (its Date header), ms */
  skewMs: number;
}

/** FNV-1a over the UTF-16 code units: a change detector, not a security hash (crypto.subtle needs HTTPS). */
function fnv1a(text: string, hash = 0x811c9dc5): number {
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

async function fetched(url: string): Promise<Response> {
  const res = await fetch(url, { cache: 'no-store', credentials: 'same-origin' });
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res;
}

/** This page and its own files as served now; undefined when any of them could not be fetched. */
export async function pageFingerprint(): Promise<PageCheck | undefined> {
  try {
    const sent = Date.now();
    const page = await fetched(location.pathname);
    const date = Date.parse(page.headers.get('date') ?? '');
    // the Date header has whole seconds: half a second plus half the round trip is the best guess
    const skewMs = Number.isFinite(date) ? date + 500 - (sent + Date.now()) / 2 : 0;
    const html = await page.text();
    const doc = new DOMParser().parseFromString(html, 'text/html');
    const urls = [...doc.querySelectorAll<HTMLElement>('script[src], link[rel="stylesheet"][href]')]
      .map((n) => new URL(n.getAttribute('src') ?? n.getAttribute('href') ?? '', location.href))
      .filter((u) => u.origin === location.origin)
      .map((u) => u.pathname + u.search);
    let hash = fnv1a(html);
    for (const text of await Promise.all(urls.map(async (u) => (await fetched(u)).text()))) hash = fnv1a(text, hash);
    return { fingerprint: `${hash.toString(16)}-${urls.length}`, skewMs };
  } catch {
    return undefined;
  }
}
