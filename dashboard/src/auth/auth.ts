/**
 * Who is asking: a staff member (signed session cookie), a screen (display token), or a script
 * (the API key in secrets/api.key, with admin rights). Shared by the HTTP routes and socket.io.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Trade } from '@campus/contract';
import { loadOrCreateKey } from '@campus/runtime';
import { DisplayTokens } from './display-tokens.ts';
import { FailureLimiter } from './limiter.ts';
import { RevokedSessions } from './revoked-sessions.ts';
import { readCookie, SECURE_SESSION_COOKIE, SESSION_COOKIE, SessionSigner, type Session } from './session.ts';
import { ROLE_TRADES, StaffDirectory, type Role } from './staff.ts';

export type Viewer =
  { kind: 'staff'; username: string; name: string; role: Role; session: Session } | { kind: 'display'; id: string; name: string } | { kind: 'service' };

export class Auth {
  readonly staff: StaffDirectory;
  readonly sessions: SessionSigner;
  readonly displays: DisplayTokens;
  /** sessions ended by logging out (a copy of the cookie is refused from then on) */
  readonly revoked: RevokedSessions;
  readonly limiter = new FailureLimiter();
  private readonly apiKey: string;

  constructor(
    dataDir: string,
    /** mark cookies Secure (when served over HTTPS) */
    readonly secureCookies = false,
  ) {
    this.staff = new StaffDirectory(dataDir);
    this.sessions = new SessionSigner(loadOrCreateKey(dataDir, 'session'));
    this.revoked = new RevokedSessions(dataDir, this.sessions.ttlMs);
    this.displays = new DisplayTokens(dataDir);
    this.apiKey = loadOrCreateKey(dataDir, 'api');
  }

  identify(headers: IncomingHttpHeaders, displayToken?: string): Viewer | null {
    const authz = headers.authorization ?? '';
    const bearer = /^Bearer (.+)$/.exec(authz)?.[1];
    if (bearer) {
      const a = Buffer.from(bearer);
      const b = Buffer.from(this.apiKey);
      return a.length === b.length && timingSafeEqual(a, b) ? { kind: 'service' } : null;
    }
    const display = /^Display (.+)$/.exec(authz)?.[1] ?? displayToken;
    if (display) {
      const t = this.displays.verify(display);
      return t ? { kind: 'display', id: t.id, name: t.name } : null;
    }
    // over HTTPS the browser sends both cookies when it has both: the first one that holds a live session wins
    for (const name of [SECURE_SESSION_COOKIE, SESSION_COOKIE]) {
      const session = this.sessions.verify(readCookie(headers.cookie, name));
      if (!session || this.revoked.isRevoked(session)) continue;
      const user = this.staff.get(session.username);
      if (!user || user.disabled) continue;
      return { kind: 'staff', username: user.username, name: user.name, role: user.role, session };
    }
    return null;
  }

  /** Whether this viewer may act on tickets of `trade`. */
  mayHandle(viewer: Viewer, trade: Trade): boolean {
    if (viewer.kind === 'service') return true;
    if (viewer.kind !== 'staff') return false;
    return ROLE_TRADES[viewer.role].includes(trade);
  }

  /** The session cookie for a request over HTTPS (`secure`) or plain HTTP: its own name for each (SECURE_SESSION_COOKIE). */
  cookie(value: string, maxAgeMs: number, secure = false): string {
    const tls = secure || this.secureCookies;
    return `${tls ? SECURE_SESSION_COOKIE : SESSION_COOKIE}=${encodeURIComponent(value)}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.floor(maxAgeMs / 1000)}${tls ? '; Secure' : ''}`;
  }
}
