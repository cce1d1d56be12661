/**
 * /lobby, the competition board on a lobby TV (a display token of scope lobby), in headless Chromium
 * at a LAN host name over plain HTTP and over HTTPS (PAGE_ORIGINS), over the competition week of
 * class-readings.ts: at 1920×1080 the ranking rows are at least 40 px and all on screen, use is
 * "日均 15.0 度" (kWh a school day), never kW; there is no link; the boards rotate by themselves
 * (?rotate=1) with the page indicator following; while the server cannot be reached the boards stay
 * with a line saying so, and once it answers the page reloads itself, after fetching itself first.
 */
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { DisplayTokens } from '@campus/dashboard';
import { openReady, PAGE_ORIGINS, REPO_ROOT, systemAtOrigin, useBrowser, waitFor } from '@campus/testkit';
import { campus, writeClassReadings } from './class-readings.ts';
import { chineseLeft } from './untranslated.ts';

const chromium = useBrowser();

const WEEK = 'period=custom&from=2026-11-16&to=2026-11-20';

/** the page's globals inside evaluate (written inline there: the tests compile without the DOM library) */
interface PageGlobals {
  beforeOutage?: boolean;
  getComputedStyle(e: unknown): { fontSize: string };
  document: { body: { dataset: Record<string, string | undefined> }; getElementById(id: string): { getBoundingClientRect(): { bottom: number } } };
}

describe.each(PAGE_ORIGINS)('at the %s origin', (origin) => {
  const at = systemAtOrigin(origin, async (dataDir) => {
    await writeClassReadings(dataDir);
    return { CAMPUS_SIM: 'off' };
  });
  let token: string;
  beforeAll(() => {
    token = new DisplayTokens(at.dir.path).add('大厅屏', ['lobby']).token;
  });

  const openLobby = (query: string, viewport = { width: 1920, height: 1080 }) =>
    openReady(chromium.browser, `${at.system.base}/lobby?token=${token}&${WEEK}&${query}`, { viewport });

  /** the visible slide's title and its rows' cells */
  const visible = (page: Page) =>
    page.$eval('.lobby-slide:not([hidden])', (s) => ({
      title: s.querySelector('h2')?.textContent,
      rows: [...s.querySelectorAll('tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    }));

  it('is readable across a hall at 1920×1080: rows of 40 px or more, all on screen, 日均 … 度, no links', { timeout: 120_000 }, async () => {
    const { page, watch } = await openLobby('rotate=600');
    const board = await visible(page);
    expect(board.title).toBe('节约用电排名');
    // 15, 18, 17 and 16 kWh a school day in the week (class-readings.ts): in 度, never in kW
    expect(board.rows).toEqual([
      ['1', '高一(1)班', '日均 15.0 度', '15.9 %'],
      ['2', '高一(2)班', '日均 18.0 度', '-0.9 %'],
      ['3', '高三(5)班', '日均 17.0 度', '-5.9 %'],
      ['4', '高二(1)班', '日均 16.0 度', '-12.1 %'],
    ]);
    const sizes = await page.$$eval('.lobby-slide:not([hidden]) tbody td', (tds) =>
      tds.map((td) => ({ px: parseFloat((globalThis as unknown as PageGlobals).getComputedStyle(td).fontSize), bottom: td.getBoundingClientRect().bottom })),
    );
    expect(Math.min(...sizes.map((s) => s.px))).toBeGreaterThanOrEqual(40);
    expect(Math.max(...sizes.map((s) => s.bottom))).toBeLessThanOrEqual(1080);
    expect(await page.textContent('body')).not.toMatch(/kW/);
    expect(await page.$$eval('a, nav, button, input, select', (n) => n.length)).toBe(0);
    expect(await page.textContent('#window')).toBe('2026-11-16 至 2026-11-20 · 5 个上课日');
    // the indicator: one entry per slide, the first one current
    expect(await page.$$eval('#pager li', (li) => li.map((l) => [l.textContent, l.getAttribute('aria-current')]))).toEqual([
      ['1', 'true'],
      ['2', 'false'],
      ['3', 'false'],
    ]);
    if (origin === 'lan') await page.screenshot({ path: join(REPO_ROOT, 'docs/screenshots/lobby.png') });
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it('rotates by itself: ranking, per student, 先进班级, and round again, the indicator following', { timeout: 120_000 }, async () => {
    const { page, watch } = await openLobby('rotate=1');
    const seen: (string | null | undefined)[] = [];
    for (const slide of ['1', '2', '0']) {
      await page.waitForSelector(`body[data-slide="${slide}"]`, { timeout: 20_000 });
      seen.push((await visible(page)).title);
      expect(await page.$$eval('.lobby-slide:not([hidden])', (s) => s.length)).toBe(1);
      expect(await page.$eval('#pager li[aria-current="true"]', (li) => li.textContent)).toBe(String(Number(slide) + 1));
    }
    expect(seen).toEqual(['人均用电排名（每生每上课日）', '先进班级', '节约用电排名']);
    await page.waitForSelector('body[data-slide="2"]', { timeout: 20_000 });
    expect(await page.textContent('.lobby-winners')).toContain('高一(1)班');
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  it('keeps the boards while the server is away, and reloads itself once the page is served again', { timeout: 120_000 }, async () => {
    const { page } = await openLobby('rotate=600&refresh=1&retry=1');
    await page.evaluate(() => ((globalThis as unknown as PageGlobals).beforeOutage = true));
    const navigations: string[] = [];
    page.on('framenavigated', (f) => f === page.mainFrame() && navigations.push(f.url()));
    let refused = 0;
    // the server is away: every request fails as with a stopped server
    await page.route('**/*', (route) => (refused++, route.abort('connectionrefused')));
    await page.waitForSelector('body[data-offline="true"]', { timeout: 20_000 });
    await waitFor('three refused tries', () => refused >= 3, { timeoutMs: 30_000 });
    expect(await page.textContent('#status')).toContain('暂时连不上服务器，显示的是');
    expect((await visible(page)).rows).toHaveLength(4); // the last boards stay up
    expect(await page.evaluate(() => (globalThis as unknown as PageGlobals).beforeOutage)).toBe(true);
    expect(navigations).toEqual([]);

    await page.unroute('**/*');
    await page.waitForFunction(() => !(globalThis as unknown as PageGlobals).beforeOutage && (globalThis as unknown as PageGlobals).document.body.dataset.ready === 'true', null, {
      timeout: 30_000,
    });
    expect(navigations.length).toBeGreaterThanOrEqual(1);
    expect(navigations.every((u) => u.startsWith(`${at.system.base}/lobby`))).toBe(true);
    expect(await page.isHidden('#status')).toBe(true);
    expect((await visible(page)).rows).toHaveLength(4);
    await page.close();
  });

  it('splits a board that does not fit the screen into parts, every row on screen', { timeout: 120_000 }, async () => {
    // a short screen: the four classes no longer fit one slide
    const { page, watch } = await openLobby('rotate=2', { width: 1024, height: 260 });
    const parts: { title: string; rows: string[]; bottom: number; limit: number }[] = [];
    for (let i = 0; i < 10; i++) {
      await page.waitForSelector(`body[data-slide="${i}"]`, { timeout: 20_000 });
      const p = await page.$eval('.lobby-slide:not([hidden])', (s) => ({
        title: s.querySelector('h2')!.textContent!,
        rows: [...s.querySelectorAll('tbody tr td:nth-child(2)')].map((td) => td.textContent!),
        bottom: Math.max(0, ...[...s.querySelectorAll('tbody tr')].map((tr) => tr.getBoundingClientRect().bottom)),
        limit: (globalThis as unknown as PageGlobals).document.getElementById('slides').getBoundingClientRect().bottom,
      }));
      if (!p.title.startsWith('节约用电排名')) break;
      parts.push(p);
    }
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(parts.map((p) => p.title)).toEqual(parts.map((_, i) => `节约用电排名（${i + 1}/${parts.length}）`));
    expect(parts.flatMap((p) => p.rows)).toEqual(['高一(1)班', '高一(2)班', '高三(5)班', '高二(1)班']);
    for (const p of parts) expect(p.bottom).toBeLessThanOrEqual(p.limit + 0.5);
    expect(watch.problems).toEqual([]);
    await page.close();
  });

  if (origin === 'lan')
    it('says nothing in Chinese in English but the class and school names', { timeout: 120_000 }, async () => {
      const { page, watch } = await openLobby('rotate=600&lang=en');
      expect((await visible(page)).rows[0]).toEqual(['1', '高一(1)班', '15.0 kWh a day', '15.9 %']);
      expect(await chineseLeft(page, { names: [campus.site.name] })).toEqual([]);
      expect(watch.problems).toEqual([]);
      await page.close();
    });
});
