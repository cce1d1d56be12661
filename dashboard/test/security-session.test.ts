/**
 * Sessions against the real dashboard service over real HTTP:
 * - a Cookie header that is not valid percent-encoding (decodeURIComponent throws on `%E0%A4%A`)
 *   is simply no session: 401 on a change, `viewer: null` on /api/session, never a 500;
 * - logging out ends the session on the server: the old cookie with its CSRF token can no longer
 *   change a ticket, also after a restart (a new Auth on the same data dir);
 * - the list of revoked sessions is bounded per user, and what it gives up is still refused.
 */
import { dirname } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Auth } from '@campus/dashboard';
import { tempDir } from '@campus/testkit';
import { RevokedSessions } from '../src/auth/revoked-sessions.ts';
import { SessionSigner } from '../src/auth/session.ts';
import { startDashboard, type Fixture } from './security-fixture.ts';

let f: Fixture;
beforeAll(async () => {
  f = await startDashboard();
});
afterAll(() => f?.stop());

const MALFORMED = ['campus_session=%E0%A4%A', 'campus_session=%', 'campus_session=%zz.%%', 'a=1; campus_session=%C0%AF; b=2', 'campus_session=%ED%A0%80'];

describe('a malformed session cookie', () => {
  it('is no session: 401 on a change and viewer null, never a 500', async () => {
    const id = f.openTicket('plumber', 'wm-dorm-1');
    for (const cookie of MALFORMED) {
      const session = await f.call({ path: '/api/session', headers: { cookie } });
      expect({ cookie, status: session.status, viewer: session.json?.viewer }).toEqual({ cookie, status: 200, viewer: null });
      const change = await f.call({ method: 'POST', path: `/api/tickets/${id}/ack`, headers: { cookie, 'x-csrf-token': 'x' }, body: { note: 'x' } });
      expect({ cookie, status: change.status }).toEqual({ cookie, status: 401 });
      expect((await f.call({ path: '/api/tickets?status=open', headers: { cookie } })).status).toBe(401);
    }
    expect(f.tickets.get(id)!.status).toBe('open');
  });
});

describe('logging out', () => {
  it('ends the session on the server: the old cookie and CSRF token no longer change a ticket, also after a restart', async () => {
    const pw = await f.addStaff('sun', 'plumber');
    const { session } = await f.login('sun', pw);
    if (!session) throw new Error('no session');
    const id = f.openTicket('plumber', 'wm-dorm-2');
    // the session works before
    expect((await f.call({ path: '/api/session', headers: f.as(session) })).json.viewer).toMatchObject({ username: 'sun' });
    const out = await f.call({ method: 'POST', path: '/api/logout', headers: f.as(session) });
    expect(out.status).toBe(200);
    expect(out.headers['set-cookie']?.[0]).toMatch(/^campus_session=; .*Max-Age=0/);

    // a copy of the cookie, with its CSRF token: refused
    const replay = await f.call({ method: 'POST', path: `/api/tickets/${id}/ack`, headers: f.as(session), body: { note: '旧会话' } });
    expect(replay.status).toBe(401);
    expect(f.tickets.get(id)!.status).toBe('open');
    expect((await f.call({ path: '/api/session', headers: f.as(session) })).json.viewer).toBeNull();
    // after a restart: the revocation was kept in the data dir
    const restarted = new Auth(dirname(f.campusFile));
    expect(restarted.identify({ cookie: session.cookie })).toBeNull();

    // logging in again gives a new session that works
    const again = await f.login('sun', pw);
    expect((await f.call({ method: 'POST', path: `/api/tickets/${id}/ack`, headers: f.as(again.session!), body: { note: '已到场' } })).status).toBe(200);
  });

  it('keeps a bounded list: past the bound a user’s older sessions are all revoked at once, newer ones work', () => {
    const dir = tempDir();
    try {
      const signer = new SessionSigner('k'.repeat(32), 3_600_000);
      const revoked = new RevokedSessions(dir.path, signer.ttlMs, 3);
      const t0 = Date.now();
      const sessions = Array.from({ length: 8 }, (_, i) => signer.issue('wu', 'electrician', t0 + i).session);
      const other = signer.issue('he', 'plumber', t0).session;
      revoked.revoke(other, t0 + 10);
      for (const [i, s] of sessions.entries()) revoked.revoke(s, t0 + 10 + i);
      expect(revoked.size).toBeLessThanOrEqual(3 + 1);
      for (const s of [...sessions, other]) expect(revoked.isRevoked(s), s.sid).toBe(true);
      // a session issued afterwards is not revoked, in this process or the next
      const later = signer.issue('wu', 'electrician', t0 + 1000).session;
      expect(revoked.isRevoked(later)).toBe(false);
      expect(new RevokedSessions(dir.path, signer.ttlMs, 3).isRevoked(sessions[0]!)).toBe(true);
      // expired ids are pruned at the next revocation
      revoked.revoke(signer.issue('he', 'plumber', t0 + 2000).session, t0 + 2 * 3_600_000);
      expect(revoked.size).toBe(1);
    } finally {
      dir.remove();
    }
  });
});
