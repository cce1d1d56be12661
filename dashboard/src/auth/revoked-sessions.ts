/**
 * Sessions ended on the server. A session is a signed cookie (session.ts), valid until it
 * expires; logging out revokes it here, so a copy of the cookie (a shared office PC, a phone
 * handed on) no longer works. CAMPUS_DATA_DIR/secrets/revoked-sessions.json keeps a revoked id
 * only until its session would have expired anyway (12 h), so it survives a restart and stays
 * small. Bounded per user as well: past `maxPerUser` revoked sessions of one user within that
 * time, every session of theirs issued so far is revoked at once (a "not before" time) and their
 * list starts again.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { secretsDir, writeFileAtomic } from '@campus/runtime';
import type { Session } from './session.ts';

interface Revoked {
  sid: string;
  username: string;
  exp: number;
}

interface RevokedFile {
  sessions: Revoked[];
  /** username -> sessions issued at or before this are revoked */
  notBefore: Record<string, number>;
}

export class RevokedSessions {
  private state: RevokedFile = { sessions: [], notBefore: {} };
  private ids = new Set<string>();
  private mtime = 0;
  readonly path: string;

  constructor(
    dataDir: string,
    /** how long a session lives (SessionSigner.ttlMs) */
    private readonly ttlMs: number,
    private readonly maxPerUser = 100,
  ) {
    this.path = join(secretsDir(dataDir), 'revoked-sessions.json');
  }

  /** Re-reads the file when it changed (another dashboard on the same data dir); a damaged file keeps what was read before. */
  private fresh(): void {
    if (!existsSync(this.path)) return;
    const m = statSync(this.path).mtimeMs;
    if (m === this.mtime) return;
    try {
      const read = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<RevokedFile>;
      this.state = { sessions: Array.isArray(read.sessions) ? read.sessions : [], notBefore: read.notBefore ?? {} };
      this.ids = new Set(this.state.sessions.map((s) => s.sid));
      this.mtime = m;
    } catch {
      // written atomically: a half-written file is not ours; keep the last good state
    }
  }

  private issuedAt(session: Session): number {
    return session.iat ?? session.exp - this.ttlMs;
  }

  isRevoked(session: Session): boolean {
    this.fresh();
    if (this.ids.has(session.sid)) return true;
    const notBefore = this.state.notBefore[session.username];
    return notBefore !== undefined && this.issuedAt(session) <= notBefore;
  }

  revoke(session: Session, now = Date.now()): void {
    this.fresh();
    // what has expired needs no revoking any more
    const sessions = this.state.sessions.filter((s) => s.exp > now && s.sid !== session.sid);
    const notBefore = this.liveNotBefore(now);
    const mine = sessions.filter((s) => s.username === session.username);
    if (mine.length + 1 > this.maxPerUser) {
      notBefore[session.username] = Math.max(now, this.issuedAt(session));
      this.state = { sessions: sessions.filter((s) => s.username !== session.username), notBefore };
    } else {
      this.state = { sessions: [...sessions, { sid: session.sid, username: session.username, exp: session.exp }], notBefore };
    }
    this.save();
  }

  /**
   * Every session of `username` issued up to `now` ends (a new password): a "not before" time, so
   * the file stays small however many browsers they had. A session issued after `now` is not touched.
   */
  revokeUser(username: string, now = Date.now()): void {
    this.fresh();
    const notBefore = this.liveNotBefore(now);
    notBefore[username] = Math.max(now, notBefore[username] ?? 0);
    this.state = { sessions: this.state.sessions.filter((s) => s.exp > now && s.username !== username), notBefore };
    this.save();
  }

  /** the "not before" times still needed (a session issued before one has expired by now) */
  private liveNotBefore(now: number): Record<string, number> {
    return Object.fromEntries(Object.entries(this.state.notBefore).filter(([, t]) => t > now - this.ttlMs));
  }

  private save(): void {
    this.ids = new Set(this.state.sessions.map((s) => s.sid));
    writeFileAtomic(this.path, JSON.stringify(this.state) + '\n');
    this.mtime = statSync(this.path).mtimeMs;
  }

  /** Revoked ids kept (for the tests of the bound). */
  get size(): number {
    this.fresh();
    return this.state.sessions.length;
  }
}
