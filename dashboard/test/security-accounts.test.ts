/**
 * Staff accounts over real HTTP against the real service (routes/auth.ts, auth/staff.ts): a worker
 * changes their own password (the current one, 8 characters or more) and their sessions on other
 * browsers end while this one goes on; wrong current passwords are limited like logins; the office
 * resets another's password (shown once, their sessions end), sees the account list with the phone
 * and WeCom id it keeps — nobody else sees those; `add` refuses a name that exists.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffError } from '@campus/dashboard';
import { startDashboard, type Fixture, type Session } from './security-fixture.ts';

let f: Fixture;
let office: Session;
beforeAll(async () => {
  f = await startDashboard();
  office = await f.staff('office', 'admin');
});
afterAll(() => f?.stop());

const post = (path: string, s: Session, body: unknown) => f.call({ method: 'POST', path, headers: { ...f.as(s), origin: f.origin }, body });
const patch = (path: string, s: Session, body: unknown) => f.call({ method: 'PATCH', path, headers: { ...f.as(s), origin: f.origin }, body });
const sessionOf = async (cookie: string) => (await f.call({ path: '/api/session', headers: { cookie } })).json.viewer;
/** the new cookie a password change set */
const cookieOf = (r: { headers: { 'set-cookie'?: string[] } }) => r.headers['set-cookie']![0]!.split(';')[0]!;

describe('changing one’s own password', () => {
  it('needs the current password and 8 characters; ends the other browsers’ sessions, keeps this one', async () => {
    const password = await f.addStaff('li', 'plumber');
    const phone = (await f.login('li', password)).session!;
    const desk = (await f.login('li', password)).session!;
    f.auth.limiter.reset();

    expect((await post('/api/account/password', desk, { current: 'wrong-password', password: 'long-enough-1' })).json).toMatchObject({ error: 'wrong_password' });
    expect((await post('/api/account/password', desk, { current: password, password: 'short' })).json).toMatchObject({ error: 'weak_password' });
    expect((await post('/api/account/password', desk, { current: password, password })).json).toMatchObject({ error: 'same_password' });
    expect(await sessionOf(phone.cookie)).toMatchObject({ username: 'li' }); // nothing changed yet

    const changed = await post('/api/account/password', desk, { current: password, password: '新的密码-2026' });
    expect(changed.status, changed.text).toBe(200);
    // the phone's session ended; the desk goes on with the cookie it was given
    expect(await sessionOf(phone.cookie)).toBeNull();
    expect(await sessionOf(desk.cookie)).toBeNull();
    const renewed = { cookie: cookieOf(changed), csrf: changed.json.csrfToken as string };
    expect(await sessionOf(renewed.cookie)).toMatchObject({ username: 'li' });
    expect((await post('/api/logout', renewed, {})).status).toBe(200); // its CSRF token works

    f.auth.limiter.reset();
    expect((await f.login('li', password)).status).toBe(401);
    expect((await f.login('li', '新的密码-2026')).status).toBe(200);
    f.auth.limiter.reset();
  });

  it('limits wrong current passwords like logins (a stolen session cannot guess on)', async () => {
    const s = await f.staff('zhang', 'electrician');
    const tries = [];
    for (let i = 0; i < 6; i++) tries.push((await post('/api/account/password', s, { current: `guess-${i}`, password: 'long-enough-1' })).status);
    expect(tries).toEqual([400, 400, 400, 400, 400, 429]);
    f.auth.limiter.reset();
  });
});

describe('the office', () => {
  it('sees the account list with phone and WeCom id, and edits them; a worker sees none of it', async () => {
    const worker = await f.staff('wang', 'carpenter');
    const edited = await patch('/api/staff/wang', office, { phone: '138 0013 8000', wecomUserId: 'WangShiFu' });
    expect(edited.status, edited.text).toBe(200);
    expect((await patch('/api/staff/wang', office, { phone: '<b>1</b>' })).status).toBe(400);
    expect((await patch('/api/staff/nobody', office, { phone: '1380' })).status).toBe(404);
    const list = await f.call({ path: '/api/staff', headers: { cookie: office.cookie } });
    expect(list.json.users.find((u: { username: string }) => u.username === 'wang')).toEqual({
      username: 'wang',
      name: 'wang',
      role: 'carpenter',
      roleLabel: '木工',
      disabled: false,
      phone: '138 0013 8000',
      wecomUserId: 'WangShiFu',
      createdAt: expect.any(String),
      passwordAt: expect.any(String),
    });
    expect(JSON.stringify(list.json)).not.toContain('scrypt');
    expect((await f.call({ path: '/api/staff', headers: { cookie: worker.cookie } })).status).toBe(403);
    expect((await patch('/api/staff/wang', worker, { phone: '1' })).status).toBe(403);
    expect((await f.call({ path: '/api/session', headers: { cookie: worker.cookie } })).text).not.toContain('0013');
  });

  it('resets a password: shown once, the old one and the account’s sessions end; a worker may not', async () => {
    const old = await f.addStaff('sun', 'it');
    const s = (await f.login('sun', old)).session!;
    expect((await post('/api/staff/office/reset', s, {})).status).toBe(403);
    const reset = await post('/api/staff/sun/reset', office, {});
    expect(reset.status, reset.text).toBe(200);
    expect(reset.json).toEqual({ username: 'sun', password: expect.stringMatching(/^[\w-]{12}$/) });
    expect(await sessionOf(s.cookie)).toBeNull();
    f.auth.limiter.reset();
    expect((await f.login('sun', old)).status).toBe(401);
    expect((await f.login('sun', reset.json.password)).status).toBe(200);
    expect((await post('/api/staff/nobody/reset', office, {})).status).toBe(404);
    f.auth.limiter.reset();
  });

  it('cannot add a name that exists: the directory refuses instead of resetting its password', async () => {
    const first = await f.addStaff('zhao', 'plumber');
    await expect(f.auth.staff.add('zhao', '赵', 'admin')).rejects.toThrow(new StaffError('account zhao exists; use `campus user reset zhao`', 'exists'));
    expect(f.auth.staff.get('zhao')?.role).toBe('plumber');
    expect((await f.login('zhao', first)).status).toBe(200);
    f.auth.limiter.reset();
  });
});
