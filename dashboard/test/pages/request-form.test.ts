/**
 * The public report form, the tracking page and the QR sheet in real headless Chromium against the
 * running system, at a LAN host name over plain HTTP and over HTTPS, on a phone-sized viewport
 * (390 × 844): a room's QR address opens the form with the place filled in; the reporter picks 电,
 * writes a line, attaches a camera photo (shrunk in the page's canvas to 1600 px JPEG before it is
 * sent), submits, gets the tracking link, opens it and sees the state; the worker's resolution
 * shows there, and the reporter confirms with stars. The office's QR sheet points at the LAN host.
 * Saves docs/screenshots/report-form.png, report-receipt.png, track.png and qr-sheet.png.
 */
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { apiClient, PAGE_ORIGINS, REPO_ROOT, staffLogin, systemAtOrigin, useBrowser, waitFor, watchPage } from '@campus/testkit';
import { jpegMarkers, makeJpeg, withExif } from '../public-images.ts';
import { chineseLeft } from './untranslated.ts';

const PHONE = { width: 390, height: 844 };
const shot = (name: string) => join(REPO_ROOT, 'docs/screenshots', name);

const chromium = useBrowser();

describe.each(PAGE_ORIGINS)('the report form at the %s origin', (origin) => {
  const at = systemAtOrigin(origin);
  const { dir, adminPassword } = at;

  it('reports a fault with a photo from a room QR code on a phone, and tracks it to the confirmation', { timeout: 180_000 }, async () => {
    const page = await chromium.browser.newPage({ viewport: PHONE, isMobile: true, hasTouch: true });
    const watch = watchPage(page);
    const foreign: string[] = [];
    page.on('request', (r) => !r.url().startsWith(at.system.base) && !r.url().startsWith('blob:') && !r.url().startsWith('data:') && foreign.push(r.url()));
    // what the page uploads (Chromium does not hand a Blob body to the test): its fetch, watched from inside
    await page.addInitScript(() => {
      const w = globalThis as unknown as { fetch: typeof fetch; uploads: string[]; Blob: typeof Blob };
      const original = w.fetch.bind(w);
      w.uploads = [];
      w.fetch = async (input, init) => {
        if (init?.body instanceof w.Blob) {
          const bytes = new Uint8Array(await init.body.arrayBuffer());
          w.uploads.push(Array.from(bytes, (b) => String.fromCharCode(b)).join(''));
        }
        return original(input, init);
      };
    });
    const uploads = async () => (await page.evaluate(() => (globalThis as unknown as { uploads: string[] }).uploads)).map((s) => Buffer.from(s, 'latin1'));

    await page.goto(`${at.system.base}/r/dongnan/T-201`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    expect(await page.locator('#place').textContent()).toContain('高一(1)班教室');
    expect(await page.locator('.request-kind').count()).toBe(6);
    expect(await page.locator('[data-kind=electricity]').textContent()).toContain('灯、插座、空调、停电');
    // big touch targets
    const box = (await page.locator('[data-kind=electricity]').boundingBox())!;
    expect(box.height).toBeGreaterThanOrEqual(56);

    await page.click('[data-kind=electricity]');
    expect(await page.locator('[data-kind=electricity]').getAttribute('aria-checked')).toBe('true');
    const line = '讲台上方的灯不亮 <b>不是标记</b>';
    await page.fill('#text', line);
    // a phone camera's photo: 2400 × 1800 with EXIF (orientation, GPS)
    await page.setInputFiles('#photo-input', { name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: withExif(makeJpeg(2400, 1800, 80), 1) });
    await page.waitForSelector('.request-photo img', { timeout: 30_000 });
    expect(await page.locator('#error').textContent()).toBe('');
    // what was sent: shrunk by the page's canvas, a JPEG without EXIF
    const [sent, ...more] = await uploads();
    expect(more).toHaveLength(0);
    const decoded = jpeg.decode(sent!, { useTArray: true });
    expect([decoded.width, decoded.height]).toEqual([1600, 1200]);
    expect(jpegMarkers(sent!)).not.toContain(0xe1);
    await page.fill('#name', '王老师');
    if (origin === 'lan') await page.screenshot({ path: shot('report-form.png'), fullPage: true });

    await page.click('#submit');
    await page.waitForSelector('#receipt:not([hidden])', { timeout: 30_000 });
    const link = (await page.locator('#receipt-link').textContent())!;
    expect(link.startsWith(`${at.system.base}/t/`)).toBe(true);
    expect(await page.locator('#receipt').textContent()).toContain('请保存此链接');
    const ticketId = Number(await page.locator('body').getAttribute('data-reported'));
    expect(ticketId).toBeGreaterThan(0);
    if (origin === 'lan') await page.screenshot({ path: shot('report-receipt.png'), fullPage: true });

    // the tracking page: its state, the place, the photo through the token (on the page's own clock from here, to see it poll)
    await page.clock.install();
    await page.click('#receipt-open');
    await page.waitForURL(link);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    expect(await page.locator('#status').textContent()).toContain('待处理');
    expect(await page.locator('#place').textContent()).toContain('高一(1)班教室');
    expect(await page.locator('#steps li').count()).toBeGreaterThanOrEqual(1);
    await waitFor('the photo shown', () => page.$eval('#photos img', (img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0));
    // what the reporter wrote never became markup on either page
    expect(await page.locator('b').count()).toBe(0);

    // the worker resolves it (the staff API); within 30 s the page shows it, without a reload, and asks the reporter
    const staff = apiClient(at.system.apiBase, dir.path);
    const resolved = await staff.post(`/api/tickets/${ticketId}/resolve`, { note: '更换了灯管', actor: '李师傅' });
    expect(resolved.status).toBe(200);
    await page.clock.runFor(29_000);
    expect(await page.locator('body').getAttribute('data-status')).toBe('open');
    await page.clock.runFor(1_000);
    await page.waitForSelector('body[data-status="resolved"]', { timeout: 30_000 });
    expect(await page.locator('#confirm').isVisible()).toBe(true);
    expect(await page.locator('#steps').textContent()).toContain('更换了灯管');
    await page.locator('.track-star').nth(4).click();
    if (origin === 'lan') await page.screenshot({ path: shot('track.png'), fullPage: true });
    await page.click('#confirm-submit');
    await page.waitForSelector('#confirmed:not([hidden])', { timeout: 30_000 });
    expect(await page.locator('#confirmed').textContent()).toContain('5 星');
    expect(await page.locator('#confirm').isVisible()).toBe(false);

    expect(watch.problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('without a room: the reporter picks the building and writes the place', { timeout: 60_000 }, async () => {
    const page = await chromium.browser.newPage({ viewport: PHONE, isMobile: true, hasTouch: true });
    const watch = watchPage(page);
    await page.goto(`${at.system.base}/report`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    expect(await page.locator('#place-pick').isVisible()).toBe(true);
    await page.click('[data-kind=water]');
    await page.fill('#text', '水龙头关不上');
    await page.click('#submit');
    expect(await page.locator('#error').textContent()).toBe('请填写具体地点');
    await page.fill('#written-place', '操场东侧水龙头');
    await page.click('#submit');
    await page.waitForSelector('#receipt:not([hidden])', { timeout: 30_000 });
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it('says nothing in Chinese in English but what people and the campus file wrote', { timeout: 60_000 }, async () => {
    const page = await chromium.browser.newPage({ viewport: PHONE });
    await page.goto(`${at.system.base}/r/dongnan/T-202?lang=en`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 30_000 });
    expect(await page.locator('h1').textContent()).toBe('Report a fault');
    expect(await chineseLeft(page, { server: false })).toEqual([]);
    await page.close();
  });

  it('prints a QR sheet per building that points at the LAN host, for staff only', { timeout: 60_000 }, async () => {
    const page = await chromium.browser.newPage({ viewport: { width: 900, height: 1270 } });
    const watch = watchPage(page);
    await staffLogin(page, at.system.base, 'admin', adminPassword(), '/qr?building=teaching');
    const cards = page.locator('.qr-card');
    expect(await cards.count()).toBe(24);
    expect(await cards.first().textContent()).toContain('高一(1)班教室');
    expect(await page.locator('.qr-url').first().textContent()).toBe(`${at.system.base}/r/dongnan/T-201`);
    expect(await page.$$eval('.qr-code', (imgs) => imgs.every((i) => (i as unknown as { naturalWidth: number }).naturalWidth > 0))).toBe(true);
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.qr-tools').isVisible()).toBe(false);
    if (origin === 'lan') await page.screenshot({ path: shot('qr-sheet.png') });
    expect(watch.problems).toEqual([]);
    // the codes are staff-only
    const anonymous = await fetch(`${at.system.apiBase}/api/qr/dongnan/T-201.svg`);
    expect(anonymous.status).toBe(401);
    await page.close();
  });
});
