/**
 * The overview page in real headless Chromium against the running system: it renders its four
 * charts in Chinese, updates live without a reload, switches to English, and loads nothing from
 * outside the server. Saves docs/screenshots/overview.png.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClient, launchChromium, REPO_ROOT, startSystem, tempDir, waitFor, type RunningSystem } from '@campus/testkit';

const dir = tempDir();
const adminPassword = () => readFileSync(join(dir.path, 'secrets', 'initial-admin-password'), 'utf8').trim();
let system: RunningSystem;
let browser: Browser;
beforeAll(async () => {
  system = await startSystem({ CAMPUS_DATA_DIR: dir.path });
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  await system?.stop();
  dir.remove();
});

describe('overview page', () => {
  it('renders live charts in Chinese from this server only', { timeout: 180_000 }, async () => {
    const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    const errors: string[] = [];
    const foreign: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    page.on('request', (r) => !r.url().startsWith(system.base) && foreign.push(r.url()));

    // wait until the devices have reported, so the page has something to draw
    await waitFor(
      'devices online',
      async () => {
        const body = (await apiClient(system.base, dir.path).get('/api/devices')).body as { devices: { status: string }[] };
        return body.devices.every((d) => d.status === 'online');
      },
      { timeoutMs: 90_000, everyMs: 1000 },
    );

    // an anonymous visitor is sent to the login page; the first-run admin logs in there
    await page.goto(system.base + '/');
    await page.waitForURL(/\/login\?next=%2F$/);
    await page.fill('input[name=username]', 'admin');
    await page.fill('input[name=password]', adminPassword());
    await page.click('button[type=submit]');
    await page.waitForURL(system.base + '/');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    expect(await page.locator('#site-name').textContent()).toBe('东南中学');
    expect(await page.locator('h1').textContent()).toContain('设施监测总览');

    const points = () =>
      page.$$eval('canvas', (cs) => cs.map((c) => Number((c as unknown as { dataset: Record<string, string>; toDataURL(): string }).dataset.points ?? 0)));
    expect(await page.locator('canvas').count()).toBe(4);
    const first = await points();
    expect(first.every((n) => n > 0)).toBe(true);
    // chart.js drew on the canvases (not blank)
    const drawn = await page.$$eval('canvas', (cs) =>
      cs.every((c) => (c as unknown as { dataset: Record<string, string>; toDataURL(): string }).toDataURL().length > 5000),
    );
    expect(drawn).toBe(true);

    await waitFor('a live reading to reach the load chart without a reload', async () => (await points())[0]! > first[0]!, { timeoutMs: 60_000, everyMs: 500 });
    expect(await page.locator('#connection').getAttribute('class')).toContain('conn-up');
    await waitFor('42 / 42 online', async () => (await page.locator('#online').textContent()) === '42 / 42', { timeoutMs: 60_000 });

    await page.screenshot({ path: join(REPO_ROOT, 'docs/screenshots/overview.png') });
    expect(errors).toEqual([]);
    expect(foreign).toEqual([]);
    await page.close();
  });

  it('has an English switch', { timeout: 60_000 }, async () => {
    const page = await browser.newPage();
    const password = readFileSync(join(dir.path, 'secrets', 'initial-admin-password'), 'utf8').trim();
    await page.request.post(system.base + '/api/login', { data: { username: 'admin', password } });
    await page.goto(system.base + '/?lang=en');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    expect(await page.locator('h1').textContent()).toContain('Facilities overview');
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    // the choice is remembered on the other pages
    await page.goto(system.base + '/tickets');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    expect(await page.locator('h1').textContent()).toBe('Tickets');
    expect(await page.locator('nav').textContent()).toContain('Wall screen');
    await page.goto(system.base + '/devices');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    expect(await page.locator('#ledger thead').textContent()).toContain('Last seen');
    expect(await page.locator('td', { hasText: '校园总水表' }).count()).toBe(1); // names stay as written
    await page.goto(system.base + '/competition?lang=zh');
    await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
    expect(await page.locator('h3').first().textContent()).toContain('节约率排名');
    await page.close();
  });

  it('sends a strict content security policy', async () => {
    const res = await fetch(system.base + '/');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
  });
});
