/**
 * Shared by the public request pages (report form, tracking page): JSON calls without a session
 * (no login redirect: a reporter has no account), the server's own message on a refusal.
 */
import { el } from './common.ts';
import { t } from './i18n.ts';

export class PublicError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export async function publicApi<T>(path: string, init: { method?: string; body?: unknown; raw?: Blob } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: BodyInit | undefined;
  if (init.raw) {
    headers['content-type'] = init.raw.type || 'image/jpeg';
    body = init.raw;
  } else if (init.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(init.body);
  }
  const res = await fetch(path, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, credentials: 'same-origin' });
  const data = (await res.json().catch(() => ({}))) as { message?: string };
  if (!res.ok) throw new PublicError(data.message || t('error.http', { status: res.status }), res.status);
  return data as T;
}

/** The last path segments of this page's address, decoded: /r/{site}/{room} -> [site, room]. */
export const pathParts = (): string[] => location.pathname.split('/').filter(Boolean).map(decodeURIComponent);

/** A refusal in the server's own words (marked data-server: not the page's to translate) in `target`. */
export function showError(target: HTMLElement, err: unknown): void {
  target.replaceChildren(el('span', { dataset: { server: '' }, text: err instanceof Error ? err.message : String(err) }));
}
