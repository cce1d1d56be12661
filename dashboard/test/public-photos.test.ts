/**
 * Photos of the public report form: judged by their bytes (not the declared type), size and pixel
 * limited, turned upright, shrunk and re-encoded without metadata, kept within the quota; over real
 * HTTP through the dashboard, and the store alone for what HTTP cannot reach cheaply.
 */
import { readdirSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUEST_LIMITS } from '@campus/contract';
import { tempDir } from '@campus/testkit';
import { exifOrientation, PhotoStore } from '../src/photo-store.ts';
import { startDashboard, type Fixture } from './security-fixture.ts';
import { colourAt, GPS_MARK, jpegMarkers, makeJpeg, makePng, pngClaiming, withExif } from './public-images.ts';

const upload = (f: Fixture, body: Buffer | string, type = 'image/jpeg', localAddress?: string) =>
  f.call({ method: 'POST', path: '/api/public/photos', headers: { 'content-type': type }, body, localAddress });

describe('POST /api/public/photos', () => {
  let f: Fixture;
  beforeAll(async () => {
    f = await startDashboard();
  });
  afterAll(() => f.stop());

  it('takes a PNG declared as a JPEG, without a login, and keeps a JPEG of it', async () => {
    const r = await upload(f, makePng(64, 48), 'image/jpeg');
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ width: 64, height: 48 });
    expect(r.json.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    // the reporter sees it through their tracking token only; staff (the API key) always
    const anonymous = await f.call({ path: `/api/public/photos/${r.json.id}` });
    expect(anonymous.status).toBe(404);
    const staff = await fetch(`${f.base}/api/public/photos/${r.json.id}`, { headers: { authorization: `Bearer ${f.apiKey}` } });
    expect(staff.status).toBe(200);
    expect(staff.headers.get('content-type')).toBe('image/jpeg');
    const bytes = Buffer.from(await staff.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    expect(colourAt(bytes, 5, 24).r).toBeGreaterThan(150);
  });

  it('refuses a text file declared as a JPEG (415) with a clear message, and a WebP by name', async () => {
    const text = await upload(f, 'hello, this is not a photo\n', 'image/jpeg');
    expect(text.status).toBe(415);
    expect(text.json.message).toMatch(/请上传 JPEG 或 PNG/);
    const webp = await upload(f, Buffer.concat([Buffer.from('RIFF\0\0\0\0WEBPVP8 ', 'latin1'), Buffer.alloc(32)]), 'image/webp');
    expect(webp.status).toBe(415);
    expect(webp.json.message).toMatch(/WebP/);
    expect(await f.metric(/campus_http_refused_total\{reason="unsupported_media_type"\}/)).toBeGreaterThanOrEqual(2);
  });

  it('refuses a photo over the limit (413) before reading it, and one that claims 400 megapixels', async () => {
    const big = Buffer.concat([makeJpeg(8, 8), Buffer.alloc(REQUEST_LIMITS.photoBytes)]);
    const r = await upload(f, big);
    expect(r.status).toBe(413);
    expect(r.json.message).toMatch(/照片太大/);
    const bomb = await upload(f, pngClaiming(20_000, 20_000), 'image/png');
    expect(bomb.status).toBe(413);
    expect(bomb.json.message).toMatch(/像素/);
    const broken = await upload(f, Buffer.concat([makeJpeg(32, 32).subarray(0, 200)]));
    expect(broken.status).toBe(422);
  });

  it('limits uploads per address (30 an hour): 429 with Retry-After and a Chinese message, counted', async () => {
    const tiny = makePng(2, 2);
    for (let i = 0; i < 30; i++) expect((await upload(f, tiny, 'image/png', '127.0.0.7')).status).toBe(201);
    const refused = await upload(f, tiny, 'image/png', '127.0.0.7');
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(3500);
    expect(refused.json.message).toMatch(/上传照片太频繁/);
    expect((await upload(f, tiny, 'image/png', '127.0.0.8')).status).toBe(201); // another address is not held up
    expect(await f.metric(/campus_public_throttled_total\{limit="photo_address"\}/)).toBe(1);
  });
});

describe('the photo store', () => {
  const dir = tempDir('campus-photos-');
  afterAll(() => dir.remove());

  it('drops EXIF and GPS, and turns the photo upright by its orientation', async () => {
    const store = new PhotoStore({ dir: join(dir.path, 'a'), quotaBytes: 50 * 1024 * 1024 });
    const original = withExif(makeJpeg(200, 100), 6); // stored sideways: "rotate 90° clockwise to show"
    expect(original.includes(GPS_MARK)).toBe(true);
    expect(exifOrientation(original)).toBe(6);
    expect(jpegMarkers(original)).toContain(0xe1);
    const kept = await store.put(original);
    const bytes = store.get(kept.id)!;
    expect(jpegMarkers(bytes)).not.toContain(0xe1);
    expect(bytes.includes(GPS_MARK)).toBe(false);
    expect(bytes.includes(Buffer.from('Exif'))).toBe(false);
    expect(bytes.includes(Buffer.from('TestPhone'))).toBe(false);
    // 200 × 100, left red: upright it is 100 × 200 with the red half on top
    expect([kept.width, kept.height]).toEqual([100, 200]);
    const top = colourAt(bytes, 50, 20);
    const bottom = colourAt(bytes, 50, 180);
    expect(top.r).toBeGreaterThan(150);
    expect(bottom.b).toBeGreaterThan(150);
  });

  it('shrinks to 1600 px on the long side', async () => {
    const store = new PhotoStore({ dir: join(dir.path, 'b'), quotaBytes: 50 * 1024 * 1024 });
    const kept = await store.put(makeJpeg(3200, 1800, 60));
    expect([kept.width, kept.height]).toEqual([1600, 900]);
    expect(colourAt(store.get(kept.id)!, 10, 450).r).toBeGreaterThan(150);
  });

  it('does the pixel work off the main thread: timers keep running while a 4-megapixel photo is re-encoded', async () => {
    const store = new PhotoStore({ dir: join(dir.path, 'e'), quotaBytes: 50 * 1024 * 1024, maxBytes: 20 * 1024 * 1024 });
    const photo = makeJpeg(2400, 1600, 80);
    await store.put(makePng(4, 4)); // the worker is up
    let last = performance.now();
    let longest = 0;
    const tick = setInterval(() => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
    }, 10);
    const started = performance.now();
    await store.put(photo);
    const took = performance.now() - started;
    clearInterval(tick);
    longest = Math.max(longest, performance.now() - last);
    await store.close();
    // in the main thread this stalls the loop for the whole re-encoding (seconds)
    expect(took).toBeGreaterThan(300);
    expect(longest).toBeLessThan(Math.max(250, took / 3));
  });

  it('keeps to its quota (507 when full), counting what was there before a restart', async () => {
    const at = join(dir.path, 'c');
    const first = new PhotoStore({ dir: at, quotaBytes: 6000 });
    const a = await first.put(makePng(40, 40));
    expect(a.bytes).toBeGreaterThan(500);
    const again = new PhotoStore({ dir: at, quotaBytes: a.bytes + 100 });
    expect(again.usage()).toBe(a.bytes);
    await expect(again.put(makePng(40, 40))).rejects.toMatchObject({ status: 507, message: expect.stringMatching(/照片存储空间已满/) });
    expect(readdirSync(at)).toEqual([`${a.id}.jpg`]);
  });

  it('gives nothing for what is not an id', () => {
    const store = new PhotoStore({ dir: join(dir.path, 'd'), quotaBytes: 1000 });
    expect(store.get('../../campus.db')).toBeUndefined();
    expect(store.get('a'.repeat(22))).toBeUndefined();
  });
});

describe('the quota over HTTP (CAMPUS_PHOTO_QUOTA_MB)', () => {
  let f: Fixture;
  beforeAll(async () => {
    process.env.CAMPUS_PHOTO_QUOTA_MB = '1';
    try {
      f = await startDashboard();
    } finally {
      delete process.env.CAMPUS_PHOTO_QUOTA_MB;
    }
  });
  afterAll(() => f.stop());

  it('answers 507 with a message once 1 MB is stored; then sweeps the photos of forms never sent, over an hour old', async () => {
    const attached = await upload(f, makeJpeg(300, 200));
    const sent = await f.call({
      method: 'POST',
      path: '/api/public/reports',
      body: { siteId: 'dongnan', roomId: 'T-205', kind: 'water', text: '水管漏水', photoIds: [attached.json.id] },
    });
    expect(sent.status).toBe(201);
    // noise does not compress: each photo is a few hundred kB
    const noisy = () => {
      const w = 640;
      const h = 480;
      const data = Buffer.alloc(w * h * 4);
      for (let i = 0; i < data.length; i++) data[i] = i % 4 === 3 ? 255 : ((i * 7919) ^ (i >> 5)) & 255;
      return data;
    };
    const jpeg = (await import('jpeg-js')).default.encode({ width: 640, height: 480, data: noisy() }, 95).data;
    const statuses: number[] = [];
    for (let i = 0; i < 8 && !statuses.includes(507); i++) statuses.push((await upload(f, jpeg)).status);
    expect(statuses[0]).toBe(201);
    expect(statuses.at(-1)).toBe(507);
    const full = await upload(f, jpeg);
    expect(full.status).toBe(507);
    expect(full.json.message).toMatch(/照片存储空间已满/);

    // two hours later the unsent ones go, the ticket's photo stays
    const photos = join(dirname(f.campusFile), 'photos');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000);
    for (const file of readdirSync(photos)) utimesSync(join(photos, file), twoHoursAgo, twoHoursAgo);
    const after = await upload(f, jpeg);
    expect(after.status).toBe(201);
    expect(readdirSync(photos).sort()).toEqual([`${attached.json.id}.jpg`, `${after.json.id}.jpg`].sort());
    expect((await f.call({ path: `/api/public/photos/${attached.json.id}?t=${sent.json.trackingToken}` })).status).toBe(200);
  });
});
