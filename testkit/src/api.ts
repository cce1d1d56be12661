/** An HTTP client for a running system, authenticated with its API key (CAMPUS_DATA_DIR/secrets/api.key). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function apiClient(base: string, dataDir: string) {
  const key = () => readFileSync(join(dataDir, 'secrets', 'api.key'), 'utf8').trim();
  const request = async (path: string, init: RequestInit = {}) => {
    const res = await fetch(base + path, {
      ...init,
      headers: { authorization: `Bearer ${key()}`, 'content-type': 'application/json', ...(init.headers as object) },
    });
    const text = await res.text();
    return { status: res.status, body: text.startsWith('{') ? JSON.parse(text) : text };
  };
  return {
    get: (path: string) => request(path),
    post: (path: string, body: unknown) => request(path, { method: 'POST', body: JSON.stringify(body) }),
  };
}
