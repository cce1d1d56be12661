/**
 * The term report on SQLite (the default store), end to end: a simulated term backfilled with
 * faults and detection, then
 * - `npm run campus -- report` writes the files, checked table by table against the rollups
 *   (report-suite.ts);
 * - the page prints to PDF in Chromium: A4 pages, each chapter on a new page, the text in it;
 * - the dashboard serves it at /reports to staff only, with the same CSV files, and a screenshot
 *   for the README; the page at a LAN host name over plain HTTP and over HTTPS (PAGE_ORIGINS).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteReadingStore, storeContext } from '@campus/store';
import { dbPath, openDb } from '@campus/runtime';
import { apiClient, campusCli, launchChromium, PAGE_ORIGINS, readPdf, REPO_ROOT, startSystem, tempDir, watchPage, type RunningSystem } from '@campus/testkit';
import { sqliteRows } from './expected.ts';
import { reportChecks, reportWithCli, type Backfilled } from './report-suite.ts';
import { backfillTerms, TERM, writeTestCampus } from './term-fixture.ts';

const dir = tempDir('campus-report-');
let filled: Backfilled;
let browser: Browser | undefined;

beforeAll(async () => {
  const { file, campus } = writeTestCampus(dir.path);
  const store = new SqliteReadingStore(dbPath(dir.path), { context: storeContext([campus]) });
  const t0 = performance.now();
  const readings = await backfillTerms(store, campus, dir.path);
  store.close();
  const env = { CAMPUS_DATA_DIR: dir.path, CAMPUS_CONFIG: file, CAMPUS_STORE: 'sqlite' };
  const out = join(dir.path, 'out');
  const { output, ms } = await reportWithCli(env, out);
  console.log(`[sqlite] backfilled ${readings} readings in ${((performance.now() - t0 - ms) / 1000).toFixed(1)} s; ${output.split('\n')[0]}`);
  const db = openDb(dbPath(dir.path), { readonly: true });
  filled = { campus, dataDir: dir.path, env, rows: sqliteRows(db), out, reportMs: ms };
}, 600_000);

afterAll(async () => {
  await browser?.close();
  dir.remove();
});

describe('term report on SQLite: the CLI files against the rollups', () => {
  reportChecks(() => filled);
});

describe('term report printed', () => {
  it('prints to A4 PDF pages with each chapter on a new page and the Chinese text in it', { timeout: 120_000 }, async () => {
    browser ??= await launchChromium();
    const page = await browser.newPage();
    await page.goto(pathToFileURL(join(filled.out, 'report.html')).href);
    // charts are images in the page, not scripts
    expect(await page.locator('figure svg').count()).toBe(5);
    expect(await page.locator('script').count()).toBe(0);
    const pages = readPdf(await page.pdf({ preferCSSPageSize: true }));
    await page.close();
    expect(pages.length).toBeGreaterThanOrEqual(5);
    expect(pages.length).toBeLessThanOrEqual(12);
    for (const p of pages) {
      expect(Math.abs(p.width - 595.3)).toBeLessThan(1.5); // A4: 210 x 297 mm
      expect(Math.abs(p.height - 841.9)).toBeLessThan(1.5);
    }
    const text = pages.map((p) => p.text.replace(/\s+/g, '')).join('');
    expect(text).toContain('东南中学');
    expect(text).toContain('2026-2027学年第一学期·后勤工作数据报告');
    expect(text).toContain('全校用电用水总量');
    expect(text).toContain('冷藏柜2');
    // a chapter opens its page: its heading is the page's first text (after the page number)
    const opening = pages.map((p) => p.text.replace(/\s+/g, '').replace(/^\d+\/\d+/, ''));
    for (const heading of ['一、用电与用水', '二、水电费用', '四、报修情况', '六、食堂冷链（食品安全）'])
      expect(
        opening.filter((t) => t.startsWith(heading)),
        heading,
      ).toHaveLength(1);
    expect(opening[0]!.startsWith('东南中学')).toBe(true);
    expect(pages[0]!.text).toMatch(/^\s*1\s*\/\s*\d+/);
  });
});

describe.each(PAGE_ORIGINS)('term report in the dashboard at the %s origin', (origin) => {
  let system: RunningSystem;
  beforeAll(async () => {
    system = await startSystem({ ...filled.env, CAMPUS_SIM: 'off' }, { origin });
  }, 240_000);
  afterAll(async () => {
    await system?.stop();
  });

  it('serves /reports to staff only: the page, its CSV files and the summary; a screen token is refused', { timeout: 240_000 }, async () => {
    const anonymous = await fetch(`${system.apiBase}/reports?term=${encodeURIComponent(TERM.name)}`, { redirect: 'manual' });
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get('location')).toBe(`/login?next=${encodeURIComponent(`/reports?term=${encodeURIComponent(TERM.name)}`)}`);
    const token = /token=([A-Za-z0-9_-]+)/.exec(await campusCli(filled.env, 'display', 'add', '大厅屏'))![1]!;
    expect((await fetch(`${system.apiBase}/reports`, { headers: { authorization: `Display ${token}` } })).status).toBe(403);

    const api = apiClient(system.apiBase, filled.dataDir);
    const key = readFileSync(join(filled.dataDir, 'secrets', 'api.key'), 'utf8').trim();
    for (const name of ['totals', 'electricity-classes', 'tickets-by-trade', 'leaks']) {
      const res = await fetch(`${system.apiBase}/reports/${name}.csv?term=${encodeURIComponent(TERM.name)}`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
      // byte for byte the CLI's file, byte-order mark included
      expect(Buffer.from(await res.arrayBuffer()).equals(readFileSync(join(filled.out, `${name}.csv`)))).toBe(true);
    }
    expect((await api.get('/reports/nope.csv')).status).toBe(404);
    expect((await api.get('/reports?from=2026-09-20&to=2026-09-01')).status).toBe(400);
    const summary = await api.get(`/reports/summary.txt?term=${encodeURIComponent(TERM.name)}`);
    expect(summary.body).toBe(readFileSync(join(filled.out, 'summary.txt'), 'utf8'));

    // the office head logs in and opens the report from the overview
    const password = /password, shown once: (\S+)/.exec(
      await campusCli(filled.env, 'user', 'add', `wang-${origin}`, '--role', 'admin', '--name', '王主任'),
    )![1]!;
    browser ??= await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    const watch = watchPage(page);
    await page.goto(`${system.base}/reports`);
    await page.waitForURL(/\/login\?next=/);
    await page.fill('input[name=username]', `wang-${origin}`);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForURL(`${system.base}/reports`);
    // no term asked: the last one that ended
    expect(await page.textContent('#summary')).toBe(readFileSync(join(filled.out, 'summary.txt'), 'utf8').trim());
    expect(await page.locator('select[name=term] option[selected]').textContent()).toBe(TERM.name);
    expect(await page.locator('.files a').count()).toBeGreaterThan(10);
    if (origin === 'lan') await page.screenshot({ path: join(REPO_ROOT, 'docs/screenshots/report.png') });
    // the dates form
    await page.fill('input[name=from]', '2026-09-14');
    await page.fill('input[name=to]', '2026-09-20');
    await page.locator('form').nth(1).locator('button').click();
    await page.waitForURL(/from=2026-09-14&to=2026-09-20/);
    expect(await page.textContent('h1 + .subtitle')).toContain('2026-09-14 至 2026-09-20');
    // printing leaves the form out
    await page.emulateMedia({ media: 'print' });
    expect(await page.locator('.toolbar').isVisible()).toBe(false);
    expect(watch.problems).toEqual([]); // the CSP let the style block through, and there is nothing else
    await page.goto(`${system.base}/`);
    expect(await page.locator('nav a[href="/reports"]').textContent()).toBe('学期报告');
  });
});
