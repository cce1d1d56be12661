/**
 * The overview page in real headless Chromium against the running system, at a LAN host name over
 * plain HTTP and over HTTPS (PAGE_ORIGINS): it renders its four charts in Chinese, updates live
 * over a WebSocket without a reload, switches to English, loads nothing from outside the server,
 * and sends the content security policy right for how it was reached. Saves
 * docs/screenshots/overview.png.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { apiClient, PAGE_ORIGINS, REPO_ROOT, systemAtOrigin, useBrowser, waitFor, watchPage } from '@campus/testkit';
import { chineseLeft } from './untranslated.ts';

const SITE_NAME = loadCampus(DEMO_CAMPUS_FILE).site.name;

const chromium = useBrowser();

describe.each(PAGE_ORIGINS)('overview page at the %s origin', (origin) => {
  const at = systemAtOrigin(origin);
  const { dir, adminPassword } = at;

  /** a session in the page's context, from the page's own origin (as login.js does) */
  async function logIn(page: Page) {
    await page.goto(at.system.base + '/login');
    const status = await page.evaluate(
      async (password) =>
        (await fetch('/api/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) }))
          .status,
      adminPassword(),
    );
    expect(status).toBe(200);
  }

  it('renders live charts in Chinese from this server only', { timeout: 180_000 }, async () => {
    const page = await chromium.browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const watch = watchPage(page);
    const foreign: string[] = [];
    page.on('request', (r) => !r.url().startsWith(at.system.base) && foreign.push(r.url()));

    // wait until the devices have reported, so the page has something to draw
    await waitFor(
      'devices online',
      async () => {
        const body = (await apiClient(at.system.apiBase, dir.path).get('/api/devices')).body as { devices: { status: string }[] };
        return body.devices.every((d) => d.status === 'online');
      },
      { timeoutMs: 90_000, everyMs: 1000 },
    );

    // an anonymous visitor is sent to the login page; the first-run admin logs in there
    await page.goto(at.system.base + '/');
    await page.waitForURL(/\/login\?next=%2F$/);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', adminPassword());
    await page.click('button[type=submit]');
    await page.waitForURL(at.system.base + '/');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.locator('#site-name').textContent()).toBe('东南中学');
    expect(await page.locator('h1').textContent()).toContain('设施监测总览');

    const points = () =>
      page.$$eval('canvas', (cs) => cs.map((c) => Number((c as unknown as { dataset: Record<string, string>; toDataURL(): string }).dataset.points ?? 0)));
    expect(await page.locator('canvas').count()).toBe(4);
    // history, or the first live readings on a system that has just started
    const first = await waitFor('every chart with points', async () => {
      const p = await points();
      return p.every((n) => n > 0) ? p : undefined;
    });
    // chart.js drew on the canvases (not blank)
    const drawn = await page.$$eval('canvas', (cs) =>
      cs.every((c) => (c as unknown as { dataset: Record<string, string>; toDataURL(): string }).toDataURL().length > 5000),
    );
    expect(drawn).toBe(true);

    await waitFor('a live reading to reach the load chart without a reload', async () => (await points())[0]! > first[0]!, { timeoutMs: 60_000, everyMs: 500 });
    expect(await page.locator('#connection').getAttribute('class')).toContain('conn-up');
    await waitFor('42 / 42 online', async () => (await page.locator('#online').textContent()) === '42 / 42', { timeoutMs: 60_000 });

    // live over a WebSocket at the page's own origin (ws: or wss:): CSP connect-src 'self' lets it through
    const ownSocket = `${at.system.base.replace(/^http/, 'ws')}/socket.io/`;
    expect(
      watch.websockets.some((u) => u.startsWith(ownSocket)),
      `${ownSocket} in ${watch.websockets.join(', ')}`,
    ).toBe(true);

    if (origin === 'lan') await page.screenshot({ path: join(REPO_ROOT, 'docs/screenshots/overview.png') });
    expect(watch.problems).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('has an English switch', { timeout: 60_000 }, async () => {
    const page = await chromium.browser.newPage();
    const watch = watchPage(page);
    await logIn(page);
    await page.goto(at.system.base + '/?lang=en');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    expect(await page.locator('h1').textContent()).toContain('Facilities overview');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    // the choice is remembered on the other pages
    await page.goto(at.system.base + '/tickets');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    expect(await page.locator('h1').textContent()).toBe('Tickets');
    expect(await page.locator('nav').textContent()).toContain('Wall screen');
    await page.goto(at.system.base + '/devices');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    expect(await page.locator('#ledger thead').textContent()).toContain('Last seen');
    expect(await page.locator('td', { hasText: '校园总水表' }).count()).toBe(1); // names stay as written
    await page.goto(at.system.base + '/competition?lang=zh');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    expect(await page.locator('h3').first().textContent()).toContain('节约率排名');
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it('says nothing in Chinese in English: the overview, the login page and the report selection', { timeout: 120_000 }, async () => {
    const page = await chromium.browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const watch = watchPage(page);
    await page.goto(at.system.base + '/login?lang=en');
    await page.waitForFunction(() => (globalThis as unknown as { document: { documentElement: { lang: string } } }).document.documentElement.lang === 'en');
    expect(await page.textContent('button[type=submit]')).toBe('Log in');
    expect(await chineseLeft(page)).toEqual([]);
    // a wrong password, said in English
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', 'not-it');
    await page.click('button[type=submit]');
    await waitFor('the login error', async () => (await page.textContent('#error')) === 'Wrong user name or password');

    await logIn(page);
    await page.goto(at.system.base + '/?lang=en');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    await waitFor('the tiles filled', async () => (await page.locator('#fridges li').count()) > 0 && (await page.locator('#transformers li').count()) > 0);
    expect(await page.textContent('#who')).toBe('总务处管理员 (Facilities admin)'); // the account's name as written
    expect(await chineseLeft(page, { names: [SITE_NAME] })).toEqual([]);
    // the way back is the one Chinese word, marked as such
    expect(await page.getAttribute('#lang', 'lang')).toBe('zh-CN');
    expect(await page.textContent('#lang')).toBe('中文');

    // the report page is rendered by the server: its form follows the remembered choice (a cookie)
    await page.goto(at.system.base + '/reports');
    expect(await page.textContent('.toolbar')).toContain('Make the report');
    expect(await chineseLeft(page, { within: '.toolbar' })).toEqual([]);
    await Promise.all([page.waitForURL(/lang=zh/), page.click('.toolbar a.lang')]);
    expect(await page.textContent('.toolbar')).toContain('生成报告');
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it(`sends a strict content security policy, ${origin === 'https' ? 'upgrading' : 'not upgrading'} insecure requests`, { timeout: 60_000 }, async () => {
    const page = await chromium.browser.newPage();
    const res = await page.goto(at.system.base + '/login');
    const csp = (await res!.allHeaders())['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    // over plain HTTP at a LAN name the browser would fetch everything over https, where nothing answers
    if (origin === 'https') expect(csp).toContain('upgrade-insecure-requests');
    else expect(csp).not.toContain('upgrade-insecure-requests');
    await page.close();
  });
});
