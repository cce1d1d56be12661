/**
 * Staff sessions as signed cookies (HMAC-SHA256 with CAMPUS_DATA_DIR/secrets/session.key): they
 * survive a restart, and a disabled account stops working at its next request. The CSRF token is
 * derived from the session id, so it needs no storage either. Logging out revokes the session on
 * the server (revoked-sessions.ts): a copy of the cookie is of no use afterwards.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Role } from './roles.ts';

export const SESSION_COOKIE = 'campus_session';
/**
 * The session cookie's name over HTTPS. A browser keeps a Secure cookie out of reach of plain-HTTP
 * pages of the same host ("leave secure cookies alone"): with one name, a login over HTTPS made the
 * same browser's later login over plain HTTP impossible (its cookie was refused). Two names, one per
 * scheme; over HTTPS the browser sends both and the Secure one is tried first.
 */
export const SECURE_SESSION_COOKIE = 'campus_session_tls';

export interface Session {
  username: string;
  role: Role;
  /** session id */
  sid: string;
  /** issued at (absent from sessions issued before it was added: exp - ttl) */
  iat?: number;
  exp: number;
}

/** how long a staff session lives */
export const SESSION_TTL_MS = 12 * 3600_000;

const b64 = (s: string) => Buffer.from(s).toString('base64url');

export class SessionSigner {
  constructor(
    private readonly key: string,
    readonly ttlMs = SESSION_TTL_MS,
  ) {}

  private mac(text: string): string {
    return createHmac('sha256', this.key).update(text).digest('base64url');
  }

  issue(username: string, role: Role, now = Date.now()): { value: string; session: Session } {
    const session: Session = { username, role, sid: randomBytes(12).toString('base64url'), iat: now, exp: now + this.ttlMs };
    const body = b64(JSON.stringify(session));
    return { value: `${body}.${this.mac(body)}`, session };
  }

  verify(value: string | undefined, now = Date.now()): Session | null {
    if (!value) return null;
    const [body, mac] = value.split('.');
    if (!body || !mac) return null;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    try {
      const s = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Session;
      return typeof s.exp === 'number' && s.exp > now ? s : null;
    } catch {
      return null;
    }
  }

  csrfFor(sid: string): string {
    return this.mac(`csrf:${sid}`);
  }

  checkCsrf(sid: string, token: string | undefined): boolean {
    if (!token) return false;
    const a = Buffer.from(this.csrfFor(sid));
    const b = Buffer.from(token);
    return a.length === b.length && timingSafeEqual(a, b);
  }
}

/**
 * Cookie header -> value of one cookie. Never throws: a value that is not valid percent-encoding
 * (`%E0%A4%A`, on which decodeURIComponent throws) is no value, so such a cookie is no session.
 */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i <= 0 || part.slice(0, i).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}
