/**
 * The public report form's API over real HTTP, without a login: the room for the form, a report
 * with a photo, the tracking view by its token (and the photo through it), a second report joining
 * the first, lengths and kinds checked, markup kept as text, rate limits per address and per place,
 * the reporter's confirm / reopen, and another origin refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_LIMITS } from '@campus/contract';
import { startDashboard, type Fixture } from './security-fixture.ts';
import { makeJpeg } from './public-images.ts';

let f: Fixture;
beforeAll(async () => {
  f = await startDashboard();
});
afterAll(() => f.stop());

let nextAddress = 10;
/** each test reports from its own loopback address, so the per-address limit is its own */
const address = () => `127.0.1.${nextAddress++}`;

const report = (body: object, localAddress: string) => f.call({ method: 'POST', path: '/api/public/reports', body, localAddress });

describe('the public report API', () => {
  it('gives the room for the form, and 404 with a hint for an unknown one', async () => {
    const r = await f.call({ path: '/api/public/rooms/dongnan/T-201' });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ siteId: 'dongnan', roomId: 'T-201', roomName: '高一(1)班教室', floor: 2 });
    expect(r.json.buildingName).toBeTruthy();
    const missing = await f.call({ path: '/api/public/rooms/dongnan/NOPE' });
    expect(missing.status).toBe(404);
    expect(missing.json.message).toMatch(/二维码|手动填写/);
  });

  it('takes a report with a photo, tracks it by its token, shows the photo to that token only; a second report joins it', async () => {
    const from = address();
    const photo = await f.call({
      method: 'POST',
      path: '/api/public/photos',
      headers: { 'content-type': 'image/jpeg' },
      body: makeJpeg(120, 90),
      localAddress: from,
    });
    expect(photo.status).toBe(201);
    const r = await report(
      {
        siteId: 'dongnan',
        roomId: 'T-202',
        kind: 'electricity',
        text: '讲台上方的灯不亮',
        reporterName: '王老师',
        reporterPhone: '13800001111',
        photoIds: [photo.json.id],
      },
      from,
    );
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ joined: false, trackUrl: `/t/${r.json.trackingToken}` });
    expect(r.json.ticketId).toBeGreaterThan(0);

    const tracked = await f.call({ path: `/api/public/track/${r.json.trackingToken}` });
    expect(tracked.status).toBe(200);
    expect(tracked.json).toMatchObject({ id: r.json.ticketId, kind: 'electricity', status: 'open', photoIds: [photo.json.id] });
    expect(tracked.text).not.toContain('13800001111'); // the phone is for staff only

    const withToken = await f.call({ path: `/api/public/photos/${photo.json.id}?t=${r.json.trackingToken}` });
    expect(withToken.status).toBe(200);
    expect(withToken.headers['content-type']).toBe('image/jpeg');
    expect((await f.call({ path: `/api/public/photos/${photo.json.id}?t=${'x'.repeat(32)}` })).status).toBe(404);

    const second = await report({ siteId: 'dongnan', roomId: 'T-202', kind: 'electricity', text: '灯还是不亮' }, address());
    expect(second.status).toBe(201);
    expect(second.json).toMatchObject({ ticketId: r.json.ticketId, joined: true });
    expect(f.tickets.get(r.json.ticketId)).toMatchObject({ source: 'person', reports: 2, trade: 'electrician' });
    expect((await f.call({ path: '/api/public/track/not-a-token' })).status).toBe(404);
  });

  it('keeps markup as text: stored as written, never as HTML', async () => {
    const markup = '<img src=x onerror=alert(1)><script>alert(2)</script>';
    const r = await report({ siteId: 'dongnan', roomId: 'T-203', kind: 'other', text: markup, reporterName: '<b>x</b>' }, address());
    expect(r.status).toBe(201);
    const tracked = await f.call({ path: `/api/public/track/${r.json.trackingToken}` });
    expect(tracked.headers['content-type']).toMatch(/^application\/json/);
    expect(tracked.headers['x-content-type-options']).toBe('nosniff');
    // the text is kept as it was written (the pages set it as textContent)
    expect(JSON.stringify(f.tickets.get(r.json.ticketId))).toContain(markup.replace(/"/g, '\\"'));
  });

  it('checks kinds, rooms, lengths, phones and photos (400 with a Chinese message)', async () => {
    const from = address();
    const base = { siteId: 'dongnan', roomId: 'T-204', kind: 'water', text: '漏水' };
    const cases: [object, RegExp][] = [
      [{ ...base, kind: 'fire' }, /请选择报修类别/],
      [{ ...base, roomId: 'NOPE' }, /没有这个房间/],
      [{ ...base, siteId: 'elsewhere' }, /没有这个学校/],
      [{ ...base, text: '   ' }, /问题描述不能为空/],
      [{ ...base, text: '水'.repeat(REQUEST_LIMITS.textChars + 1) }, /最多 500 字/],
      [{ ...base, reporterName: '名'.repeat(REQUEST_LIMITS.nameChars + 1) }, /姓名最多/],
      [{ ...base, reporterPhone: 'call me maybe' }, /电话号码/],
      [{ ...base, photoIds: ['a'.repeat(22)] }, /照片/],
      [{ ...base, roomId: null }, /地点不能为空/],
      [{ ...base, text: 42 }, /须为文字/],
    ];
    for (const [body, message] of cases) {
      const r = await report(body, from);
      expect(r.status, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(r.json.message).toMatch(message);
    }
    // exactly at the limit is fine; a written place without a room too
    expect((await report({ ...base, text: '水'.repeat(REQUEST_LIMITS.textChars) }, from)).status).toBe(201);
    expect((await report({ ...base, roomId: null, place: '操场东侧水龙头' }, from)).status).toBe(201);
  });

  it('limits reports per address (10 an hour) and per place (20 an hour): 429 with Retry-After, counted', async () => {
    const from = address();
    for (let i = 0; i < 10; i++)
      expect((await report({ siteId: 'dongnan', roomId: null, place: `操场 ${i} 号看台`, kind: 'furniture', text: '椅子坏了' }, from)).status).toBe(201);
    const refused = await report({ siteId: 'dongnan', roomId: 'T-401', kind: 'furniture', text: '椅子坏了' }, from);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3500);
    expect(refused.json.message).toMatch(/提交太频繁/);

    // one place from many addresses: 20, then refused
    let last = 0;
    for (let i = 0; i < 21; i++) last = (await report({ siteId: 'dongnan', roomId: 'T-302', kind: 'multimedia', text: '投影不亮' }, address())).status;
    expect(last).toBe(429);
    expect(await f.metric(/campus_public_throttled_total\{limit="report_address"\}/)).toBe(1);
    expect(await f.metric(/campus_public_throttled_total\{limit="report_place"\}/)).toBe(1);
  });

  it('lets the reporter confirm and rate a resolved repair, or reopen it with a note', async () => {
    const r = await report({ siteId: 'dongnan', roomId: 'T-303', kind: 'doors_windows', text: '门锁坏了' }, address());
    const token = r.json.trackingToken as string;
    expect((await f.call({ method: 'POST', path: `/api/public/track/${token}/confirm`, body: { rating: 5 } })).status).toBe(409); // not resolved yet
    await f.tickets.act(r.json.ticketId, 'resolve', '李师傅', '换了门锁');
    const bad = await f.call({ method: 'POST', path: `/api/public/track/${token}/confirm`, body: { rating: 9 } });
    expect(bad.status).toBe(400);
    expect((await f.call({ method: 'POST', path: `/api/public/track/${token}/reopen`, body: {} })).json.message).toMatch(/原因不能为空/);
    const reopened = await f.call({ method: 'POST', path: `/api/public/track/${token}/reopen`, body: { note: '还是锁不上' } });
    expect(reopened.status).toBe(200);
    expect(reopened.json.status).toBe('reopened');
    await f.tickets.act(r.json.ticketId, 'resolve', '李师傅', '重新调整了锁舌');
    const confirmed = await f.call({ method: 'POST', path: `/api/public/track/${token}/confirm`, body: { rating: 4, note: '谢谢' } });
    expect(confirmed.status).toBe(200);
    expect(confirmed.json).toMatchObject({ rating: 4, canConfirm: false });
    expect(confirmed.json.confirmedAt).toBeTruthy();
  });

  it('refuses a report from another origin (403), as every change', async () => {
    const r = await f.call({
      method: 'POST',
      path: '/api/public/reports',
      headers: { origin: 'http://evil.example' },
      body: { siteId: 'dongnan', roomId: 'T-304', kind: 'water', text: '漏水' },
    });
    expect(r.status).toBe(403);
  });
});
