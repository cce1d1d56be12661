/**
 * Password guessing against POST /api/login (security/login-throttle.ts): 5 failures in 15
 * minutes per source address and per account, then 429 with Retry-After and a Chinese message;
 * a success forgets the failures; parallel guesses cannot slip past; refusals are in /metrics.
 * Different source addresses are different loopback addresses (127.0.0.x), over real HTTP.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@campus/testkit';
import { addressKey } from '../src/security/login-throttle.ts';
import { startDashboard, type Fixture } from './security-fixture.ts';

let f: Fixture;
beforeAll(async () => {
  f = await startDashboard();
});
afterAll(() => f?.stop());

const REFUSED = /^campus_login_refused_total /;

describe('login brute force', () => {
  it('per account: after 5 failures the account waits (429, Retry-After, 中文), even from new addresses and with the right password', async () => {
    const pw = await f.addStaff('wang', 'admin');
    for (let i = 0; i < 5; i++) expect((await f.login('wang', `guess-${i}`, `127.0.0.${11 + i}`)).status, `failure ${i + 1}`).toBe(401);
    const refusedBefore = await f.metric(REFUSED);
    const sixth = await f.login('wang', pw, '127.0.0.16');
    expect(sixth.status).toBe(429);
    const retryAfter = Number(sixth.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(15 * 60);
    expect(sixth.json).toMatchObject({ error: 'too_many_attempts', message: expect.stringMatching(/登录失败次数过多，请 \d+ 分钟后再试/) });
    expect(sixth.headers['set-cookie']).toBeUndefined();
    expect(await f.metric(REFUSED)).toBe(refusedBefore + 1);
    // the address itself is not blocked: another account logs in from it
    expect((await f.login('liu', await f.addStaff('liu', 'plumber'), '127.0.0.16')).status).toBe(200);
  });

  it('per address: 5 failures on any accounts block the address, not the accounts', async () => {
    const pw = await f.addStaff('zhou', 'electrician');
    for (let i = 0; i < 5; i++) expect((await f.login(`nobody${i}`, 'guess', '127.0.0.21')).status, `failure ${i + 1}`).toBe(401);
    const blocked = await f.login('zhou', pw, '127.0.0.21');
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers['retry-after'])).toBeGreaterThan(0);
    expect((await f.login('zhou', pw, '127.0.0.22')).status).toBe(200);
  });

  it('a success forgets the failures of its address and account', async () => {
    const pw = await f.addStaff('zhao', 'canteen');
    for (let i = 0; i < 4; i++) expect((await f.login('zhao', `typo-${i}`, '127.0.0.31')).status).toBe(401);
    expect((await f.login('zhao', pw, '127.0.0.31')).status).toBe(200);
    // counted afresh: five more failures are answered, the sixth waits
    for (let i = 0; i < 5; i++) expect((await f.login('zhao', `again-${i}`, '127.0.0.31')).status, `failure ${i + 1} after the success`).toBe(401);
    expect((await f.login('zhao', pw, '127.0.0.31')).status).toBe(429);
  });

  it('parallel guesses cannot slip past the limit while the first ones are still being checked', async () => {
    await f.addStaff('qian', 'admin');
    // hold every password check until the outcome is decided either way, so timing cannot matter
    const verify = f.auth.staff.verify.bind(f.auth.staff);
    let checks = 0;
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    f.auth.staff.verify = async (u, p) => {
      checks++;
      await gate;
      return verify(u, p);
    };
    try {
      const statuses: number[] = [];
      const attempts = Array.from({ length: 12 }, (_, i) => f.login('qian', `parallel-${i}`, '127.0.0.41').then((r) => (statuses.push(r.status), r.status)));
      await waitFor('7 refusals, or more than 5 password checks', () => statuses.filter((s) => s === 429).length >= 7 || checks > 5, {
        timeoutMs: 30_000,
        everyMs: 20,
      });
      release();
      const all = await Promise.all(attempts);
      expect(checks).toBe(5);
      expect(all.filter((s) => s === 401)).toHaveLength(5);
      expect(all.filter((s) => s === 429)).toHaveLength(7);
    } finally {
      release();
      f.auth.staff.verify = verify;
    }
  });

  it('an IPv6 client is limited by its /64, which it can fill with addresses', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:bbbb:cccc:dddd:2'));
    expect(addressKey('2001:db8:1:2::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:3::1')).not.toBe(addressKey('2001:db8:1:2::1'));
    expect(addressKey('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(addressKey('10.1.2.3')).toBe('10.1.2.3');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
  });
});
