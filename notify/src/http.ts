/**
 * One HTTP POST of JSON, for the robots and the generic webhook, with a timeout and a verdict the
 * dispatcher can act on: worth retrying (network, timeout, 429, 5xx, a robot that says "too
 * fast") or not (a wrong key, a refused signature: retrying cannot help).
 */

export class SendError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SendError';
  }
}

export const SEND_TIMEOUT_MS = 10_000;

/** POSTs `body` as JSON; resolves with the reply (parsed JSON when it is JSON). */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}, timeoutMs = SEND_TIMEOUT_MS): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (e.cause?.code ?? e.cause?.message ?? e.message);
    throw new SendError(`${hostOf(url)}: ${why}`, true, { cause: err });
  }
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new SendError(`${hostOf(url)}: HTTP ${res.status} ${text.slice(0, 200)}`.trim(), res.status === 429 || res.status >= 500);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/** WeCom and DingTalk robots answer 200 with `{errcode, errmsg}`; errcode 0 is success. */
const ROBOT_BUSY = new Set([
  -1, // system busy (both)
  45009, // WeCom: API frequency limit
  45033, // WeCom: too many concurrent calls
  130101, // DingTalk: sending too fast (20 a minute per robot)
]);

export function checkRobotReply(reply: unknown, robot: string): void {
  const r = reply as { errcode?: unknown; errmsg?: unknown } | null;
  if (r && typeof r === 'object' && r.errcode === 0) return;
  const code = r && typeof r === 'object' ? Number(r.errcode) : NaN;
  const msg = r && typeof r === 'object' ? String(r.errmsg ?? '') : String(reply).slice(0, 200);
  throw new SendError(`${robot} refused the message: errcode ${Number.isNaN(code) ? '?' : code} ${msg}`.trim(), ROBOT_BUSY.has(code));
}

/** The host only: robot URLs carry their key in the query, which must not reach a log or /api/health. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(bad URL)';
  }
}
