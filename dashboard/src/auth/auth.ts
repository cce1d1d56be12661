/**
 * Who is asking: a staff member (signed session cookie), a screen (display token), or a script
 * (the API key in secrets/api.key, with admin rights). Shared by the HTTP routes and socket.io.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Trade } from '@campus/contract';
import { loadOrCreateKey } from '@campus/runtime';
import { DisplayTokens, scopeAllows, scopesOf, type DisplayScope, type DisplaySettings, type DisplayToken } from './display-tokens.ts';
import { FailureLimiter } from './limiter.ts';
import { RevokedSessions } from './revoked-sessions.ts';
import { readCookie, SECURE_SESSION_COOKIE, SESSION_COOKIE, SESSION_TTL_MS, SessionSigner, type Session } from './session.ts';
import { ROLE_TRADES, StaffDirectory, type Role } from './staff.ts';

export type Viewer =
  { kind: 'staff'; username: string; name: string; role: Role; session: Session } | { kind: 'display'; id: string; name: string; scopes: readonly DisplayScope[]; settings: DisplaySettings } | { kind: 'service' };

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
    this.sessions = new SessionSigner(loadOrCreateKey(dataDir, 'session'), SESSION_TTL_MS);
    this.revoked = new RevokedSessions(dataDir, this.sessions.ttlMs);
    // a new password ends the account's sessions: the directory revokes them here
    this.staff = new StaffDirectory(dataDir, this.revoked);
    this.displays = new DisplayTokens(dataDir);
    this.apiKey = loadOrCreateKey(dataDir, 'api');
  }

  /**
   * Who sends these headers. A display token counts only where its scopes reach: for `path` (a
   * page or an API path) as DISPLAY_SCOPES says; without a path — the live socket (socket-guard.ts
   * passes the CONNECT packet's token as `displayToken`) or a caller that does not say what for —
   * only a token that may hold the live feed (a wall's). Elsewhere the token is no one (null).
   */
  identify(headers: IncomingHttpHeaders, displayToken?: string, path?: string): Viewer | null {
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
      if (!t) return null;
      const scopes = scopesOf(t);
      return scopeAllows(scopes, path === undefined ? 'live' : { path }) ? { kind: 'display', id: t.id, name: t.name, scopes, settings: t.settings ?? {} } : null;
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

  /** The live display token in `Authorization: Display …`, whatever it may open (for refusing a change with 403). */
  displayOf(headers: IncomingHttpHeaders): DisplayToken | null {
    return this.displays.verify(/^Display (.+)$/.exec(headers.authorization ?? '')?.[1]);
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
