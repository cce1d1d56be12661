/**
 * /wall left alone on a TV, in headless Chromium at a LAN host name over plain HTTP:
 * - the chime: with ?chime=1 on a kiosk Chromium started with --autoplay-policy=no-user-gesture-required
 *   a new critical ticket plays it without anyone clicking; without ?chime=1 nothing is tried;
 *   where the browser keeps audio suspended the page says so, tries, and plays after a click;
 * - the server stopped under the page and started again on the same port: the drop is on the
 *   page, the last data stays, the page reconnects and resyncs without reloading (a DOM marker
 *   survives); when the server came back with other page files it reloads, only once the server
 *   answers: the browser's own error page never shows; a first load the API refuses is retried.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '@campus/repairs';
import { LAN_HOST, launchChromium, waitFor } from '@campus/testkit';
import { openWall as openWallOf, startWallServer, type WallServer } from './wall-fixture.ts';

/** Chromium as a kiosk TV runs it: audio may start without a gesture (docs: the kiosk's flags). */
const kiosk = () => launchChromium({ extraArgs: ['--autoplay-policy=no-user-gesture-required'] });

let plain: Browser;
let tv: Browser;
let server: WallServer;
beforeAll(async () => {
  [plain, tv, server] = await Promise.all([launchChromium(), kiosk(), startWallServer()]);
});
afterAll(async () => {
  await Promise.all([plain?.close(), tv?.close()]);
  await server?.close();
});

let n = 0;
/** a new critical ticket on a class meter none of the board's tickets is on */
function newCritical(): number {
  const subjectId = ['em-g3c8', 'em-g3c7', 'em-g3c6', 'em-g3c5', 'em-g3c4', 'em-g3c3'][n++]!;
  const finding: Finding = {
    active: true,
    condition: 'electricity.after_hours',
    subjectId,
    at: Date.now(),
    severity: 'critical',
    trade: 'electrician',
    category: 'repair',
    title: '放学后用电未关',
    summary: 'test',
    evidence: [{ ts: Date.now(), value: 6.2, unit: 'kW' }],
  };
  return server.tickets.apply([finding])[0]!.id;
}

const openWall = async (browser: Browser, query = ''): Promise<Page> => (await openWallOf(server, browser, query)).page;

const attr = async (page: Page, name: string) => Number((await page.getAttribute('body', name)) ?? 0);

describe('the chime', () => {
  it('plays on a new critical ticket without a click on a kiosk Chromium, with ?chime=1', { timeout: 120_000 }, async () => {
    const page = await openWall(tv, '&chime=1');
    try {
      await waitFor('the chime on', async () => (await page.getAttribute('body', 'data-chime')) === 'on');
      expect(await page.getAttribute('#chime', 'aria-pressed')).toBe('true');
      expect(await attr(page, 'data-chimes')).toBe(0); // nothing played yet: no click, no ticket
      const id = newCritical();
      await waitFor('the chime played', async () => (await attr(page, 'data-chimes')) >= 1, { timeoutMs: 30_000 });
      expect(await page.getAttribute(`#tickets li[data-ticket-id="${id}"]`, 'class')).toContain('flash');
    } finally {
      await page.close();
    }
  });

  it('stays off without ?chime=1', { timeout: 120_000 }, async () => {
    const quiet = await openWall(tv);
    try {
      expect(await quiet.getAttribute('body', 'data-chime')).toBe('off');
      const id = newCritical();
      await waitFor('the new ticket, on top', async () => (await quiet.getAttribute('#tickets li:first-child', 'data-ticket-id')) === String(id), { timeoutMs: 30_000 });
      expect(await attr(quiet, 'data-chime-attempts')).toBe(0);
      expect(await attr(quiet, 'data-chimes')).toBe(0);
    } finally {
      await quiet.close();
    }
  });

  it('on a browser that keeps audio suspended until a gesture: says so, tries, plays after a click', { timeout: 120_000 }, async () => {
    // Playwright's own calls into a page count as user activation, so the browser's policy cannot
    // be seen from a test: AudioContext here behaves as Chromium's default policy does for a page
    // nobody touched (suspended, resume() refused until a real input event)
    const page = await plain.newPage({ viewport: { width: 1920, height: 1080 } });
    await page.addInitScript(() => {
      const w = globalThis as any;
      let gesture = false;
      for (const type of ['pointerdown', 'keydown']) w.addEventListener(type, (e: any) => e.isTrusted && (gesture = true), true);
      const Real = w.AudioContext;
      w.AudioContext = class extends Real {
        blocked = !gesture;
        get state() {
          return this.blocked ? 'suspended' : super.state;
        }
        resume() {
          if (!gesture) return Promise.resolve();
          this.blocked = false;
          this.dispatchEvent(new Event('statechange'));
          return super.resume();
        }
      };
    });
    try {
      await page.goto(`${server.base}/wall?token=${server.token}&chime=1`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      await waitFor('the socket', async () => (await page.getAttribute('body', 'data-connected')) === 'true');
      expect(await page.getAttribute('body', 'data-chime')).toBe('blocked');
      expect(await page.textContent('#chime')).toContain('浏览器未允许');
      newCritical();
      await waitFor('the chime tried', async () => (await attr(page, 'data-chime-attempts')) >= 1, { timeoutMs: 30_000 });
      expect(await attr(page, 'data-chimes')).toBe(0);
      await page.click('#chime');
      await waitFor('on after the click', async () => (await page.getAttribute('body', 'data-chime')) === 'on');
      newCritical();
      await waitFor('the chime played', async () => (await attr(page, 'data-chimes')) >= 1, { timeoutMs: 30_000 });
    } finally {
      await page.close();
    }
  });
});

describe('the server away and back', () => {
  it('shows the drop, keeps the data, and comes back without a reload', { timeout: 180_000 }, async () => {
    const page = await openWall(plain);
    const navigations: string[] = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));
    try {
      await page.evaluate(() => ((globalThis as any).document.body.dataset.marker = 'kept'));
      const count = Number(await page.textContent('#count'));
      const rows = await page.locator('#tickets li').count();
      await server.stop();
      await waitFor('the drop on the page', async () => (await page.getAttribute('body', 'data-connected')) === 'false', { timeoutMs: 30_000 });
      expect(await page.isVisible('#offline')).toBe(true);
      expect(await page.textContent('#offline')).toContain('连接中断，正在重连…');
      expect(await page.locator('#tickets li').count()).toBe(rows); // the last data stays
      newCritical(); // while the server is away
      await server.start();
      await waitFor('reconnected', async () => (await page.getAttribute('body', 'data-connected')) === 'true', { timeoutMs: 60_000 });
      await waitFor('resynced', async () => Number(await page.textContent('#count')) === count + 1, { timeoutMs: 30_000 });
      await waitFor('the drop notice gone', async () => !(await page.isVisible('#offline')), { timeoutMs: 30_000 });
      expect(await page.getAttribute('body', 'data-marker')).toBe('kept'); // no reload
      expect(page.url()).toBe(`${server.base}/wall`);
      expect(navigations).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('retries its first load while the API does not answer (a TV up before the server), instead of leaving an error', { timeout: 120_000 }, async () => {
    const page = await plain.newPage({ viewport: { width: 1920, height: 1080 } });
    let refused = 0;
    await page.route('**/api/tickets?status=open', (route) => (refused++ < 2 ? route.abort('connectionrefused') : route.continue()));
    try {
      await page.goto(`${server.base}/wall?token=${server.token}`);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
      expect(refused).toBe(3); // refused twice, then answered
      expect(await page.getAttribute('body', 'data-error')).toBeNull();
      expect(await page.isVisible('#offline')).toBe(false);
      expect(await page.locator('#tickets li').count()).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });

  it('reloads after a server came back with other page files, never while it is down', { timeout: 180_000 }, async () => {
    const page = await openWall(plain);
    const navigations: string[] = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));
    // the "new version": the wall's stylesheet as the server serves it from now on
    let newVersion = false;
    await page.route('**/static/wall.css', async (route) => {
      if (!newVersion) return route.continue();
      try {
        // from the test's side, where the LAN name does not resolve: the same server over loopback
        const res = await route.fetch({ url: route.request().url().replace(LAN_HOST, '127.0.0.1') });
        await route.fulfill({ response: res, body: `${await res.text()}\n/* v2 */\n` });
      } catch {
        await route.abort('connectionrefused');
      }
    });
    try {
      await page.evaluate(() => ((globalThis as any).document.body.dataset.marker = 'old page'));
      newVersion = true;
      await server.stop();
      await waitFor('the drop on the page', async () => (await page.getAttribute('body', 'data-connected')) === 'false', { timeoutMs: 30_000 });
      expect(await page.getAttribute('body', 'data-marker')).toBe('old page');
      await server.start();
      await waitFor('the reload, to the wall', async () => navigations.length > 0 && (await page.getAttribute('body', 'data-ready').catch(() => null)) === 'true', {
        timeoutMs: 60_000,
      });
      expect(await page.getAttribute('body', 'data-marker')).toBeNull(); // a new page
      expect(navigations).toEqual([`${server.base}/wall`]); // never chrome-error://
      expect(page.url()).toBe(`${server.base}/wall`);
      await waitFor('live again', async () => (await page.getAttribute('body', 'data-connected')) === 'true', { timeoutMs: 30_000 });
      expect(await page.locator('#tickets li').count()).toBeGreaterThan(0);
    } finally {
      await page.close();
    }
  });
});
