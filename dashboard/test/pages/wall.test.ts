/**
 * /wall in real headless Chromium, opened with a display token at 1920x1080, at a LAN host name
 * over plain HTTP and over HTTPS (PAGE_ORIGINS): a ticket from an injected fault appears without a
 * reload over the page's own WebSocket (highlighted, with a chime), a staff resolution removes it,
 * the token cannot change anything, and the screen comes back by itself after a server restart.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DisplayTokens } from '@campus/dashboard';
import {
  apiClient,
  campusCli,
  freePorts,
  openReady,
  PAGE_ORIGINS,
  REPO_ROOT,
  startSystem,
  systemAtOrigin,
  useBrowser,
  waitFor,
  watchPage,
  type PageWatch,
} from '@campus/testkit';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { chineseLeft } from './untranslated.ts';

const SITE_NAME = loadCampus(DEMO_CAMPUS_FILE).site.name;

const chromium = useBrowser();

describe.each(PAGE_ORIGINS)('wall screen at the %s origin', (origin) => {
  // the same ports after the restart, as a real server has
  let env: Record<string, string>;
  const at = systemAtOrigin(origin, async (dataDir) => {
    const [http, https] = await freePorts(2);
    env = { CAMPUS_DATA_DIR: dataDir, CAMPUS_HTTP_PORT: String(http), CAMPUS_HTTPS_PORT: String(https) };
    return env;
  });
  const { dir } = at;
  let page: Page;
  let watch: PageWatch;
  let token: string;

  beforeAll(async () => {
    token = new DisplayTokens(dir.path).add('总务处值班大屏').token;
    page = await chromium.browser.newPage({ viewport: { width: 1920, height: 1080 } });
    watch = watchPage(page);
  });
  afterAll(async () => {
    await page?.close();
  });

  const rows = () =>
    page.$$eval('#tickets li', (lis) =>
      lis.map((li) => ({ id: Number((li as unknown as { dataset: Record<string, string> }).dataset.ticketId), cls: li.className, text: li.textContent })),
    );

  it('shows a new critical ticket live, highlighted with a chime, and drops it when staff resolve it', { timeout: 180_000 }, async () => {
    await page.goto(`${at.system.base}/wall?token=${token}`);
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    expect(page.url()).toBe(`${at.system.base}/wall`); // the token left the address bar
    await page.click('#chime');
    expect(await page.getAttribute('#chime', 'aria-pressed')).toBe('true');
    await waitFor('the socket', async () => (await page.getAttribute('body', 'data-connected')) === 'true');
    // over a WebSocket at the page's own origin (ws: or wss:), which CSP connect-src 'self' allows
    const ownSocket = `${at.system.base.replace(/^http/, 'ws')}/socket.io/`;
    expect(
      watch.websockets.some((u) => u.startsWith(ownSocket)),
      `${ownSocket} in ${watch.websockets.join(', ')}`,
    ).toBe(true);

    await campusCli(dir.path, 'fault', 'add', 'meter_burst', 'wm-dorm-1');
    const [row] = await waitFor(
      'the burst on the wall without a reload',
      async () => {
        const r = await rows();
        return r.length ? r : undefined;
      },
      { timeoutMs: 180_000, everyMs: 500 },
    );
    expect(row!.cls).toContain('critical');
    expect(row!.cls).toContain('flash');
    expect(row!.text).toContain('水表报警：爆管');
    expect(row!.text).toContain('学生公寓 · 1层');
    await waitFor('a chime', async () => Number(await page.getAttribute('body', 'data-chimes')) >= 2); // one on enabling, one for the ticket

    // no scrolling at 1920x1080
    expect(
      await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollHeight: number } } }).document.documentElement.scrollHeight),
    ).toBeLessThanOrEqual(1080);
    if (origin === 'lan') await page.screenshot({ path: join(REPO_ROOT, 'docs/screenshots/wall.png') });

    // the display token is read-only, even from the page
    const status = await page.evaluate(
      async ([id, t]) =>
        (
          await fetch(`/api/tickets/${id}/resolve`, {
            method: 'POST',
            headers: { authorization: `Display ${t}`, 'content-type': 'application/json' },
            body: '{"note":"x"}',
          })
        ).status,
      [row!.id, token] as const,
    );
    expect(status).toBe(403);

    await campusCli(dir.path, 'fault', 'clear', 'all');
    const resolved = await apiClient(at.system.apiBase, dir.path).post(`/api/tickets/${row!.id}/resolve`, { actor: '李师傅', note: '更换水表' });
    expect(resolved.status).toBe(200);
    await waitFor('the resolved ticket gone from the wall', async () => (await rows()).every((r) => r.id !== row!.id), { timeoutMs: 30_000 });
    expect(watch.problems).toEqual([]);
  });

  it('survives a server restart: shows the drop, reconnects and resyncs by itself, without a reload', { timeout: 360_000 }, async () => {
    await page.evaluate(() => ((globalThis as unknown as { document: { body: { dataset: Record<string, string> } } }).document.body.dataset.marker = 'kept'));
    expect(await at.system.stop('SIGTERM')).toBe(0);
    await waitFor('the drop shown', async () => (await page.getAttribute('body', 'data-connected')) === 'false', { timeoutMs: 30_000 });
    expect(await page.textContent('#connection')).toContain('连接中断');
    expect(await page.textContent('#offline')).toContain('连接中断，正在重连…');
    at.system = await startSystem(env, { origin });
    await waitFor('reconnected', async () => (await page.getAttribute('body', 'data-connected')) === 'true', { timeoutMs: 90_000 });
    await campusCli(dir.path, 'fault', 'add', 'meter_leak', 'wm-dorm-3');
    await waitFor('a ticket raised after the restart, on the same page', async () => (await rows()).some((r) => r.text?.includes('学生公寓3层水表')), {
      timeoutMs: 90_000,
      everyMs: 500,
    });
    // the same page, not a reload (the server's page files did not change), and never the browser's error page
    expect(await page.getAttribute('body', 'data-marker')).toBe('kept');
    expect(page.url()).toBe(`${at.system.base}/wall`);
    expect(await page.isVisible('#offline')).toBe(false);
  });

  it('says nothing in Chinese in English, the ticket titles included', { timeout: 120_000 }, async () => {
    const { page: en, watch: enWatch } = await openReady(chromium.browser, `${at.system.base}/wall?token=${token}&lang=en`, {
      viewport: { width: 1920, height: 1080 },
    });
    try {
      expect(en.url()).toBe(`${at.system.base}/wall?lang=en`);
      await waitFor('the leak ticket', async () => (await en.locator('#tickets li').count()) > 0, { timeoutMs: 30_000 });
      expect(await en.textContent('#tickets')).toContain('Meter alarm: leak');
      await en.click('#chime');
      expect(await en.textContent('#chime')).toBe('Chime: on');
      expect(await chineseLeft(en, { names: [SITE_NAME] })).toEqual([]);
      expect(enWatch.problems).toEqual([]);
    } finally {
      await en.close();
    }
  });
});
