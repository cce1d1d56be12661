/**
 * /tickets in headless Chromium at a LAN host name over plain HTTP, on the dashboard with a real
 * TicketService and SQLite readings: the list is in severity-then-age order, a pushed ticket that
 * does not match the filters is not shown (and one that stops matching leaves), the page says
 * 自动监测 / 监测读数 / 已办结 (never 系统, 证据 or 已解决), and the reading chart draws the hour
 * before the ticket with the detector's threshold line.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, staffLogin, waitFor, watchPage, type PageWatch } from '@campus/testkit';
import { startTicketsDashboard, type TicketsFixture } from './tickets-fixture.ts';

const MIN = 60_000;
const NOW = Date.now();
let browser: Browser;
let fx: TicketsFixture;
let page: Page;
let watch: PageWatch;
const ids: Record<string, number> = {};

beforeAll(async () => {
  [browser, fx] = await Promise.all([launchChromium(), startTicketsDashboard()]);
  const password = await fx.addStaff('zhang', '张主任', 'admin');
  // an hour of flow on the dorm's meter before the burst: 0.4 m³/h, then 2.5 m³/h for the last 10 minutes
  await fx.write(
    'wm-dorm-1',
    Array.from({ length: 60 }, (_, i) => ({ ts: NOW - 120 * MIN + i * MIN, values: { totalM3: 100 + i * 0.01, flowM3h: i < 50 ? 0.4 : 2.5 } })),
  );
  ids.minorOld = fx.open({ device: 'wm-dorm-2', condition: 'water.night_flow', title: '夜间流量偏高', severity: 'minor', trade: 'plumber', at: NOW - 300 * MIN });
  ids.criticalNew = fx.open({ device: 'tr-sci', condition: 'transformer.overload', title: '变压器严重过载', severity: 'critical', trade: 'electrician', at: NOW - 30 * MIN });
  ids.burst = fx.open({
    device: 'wm-dorm-1',
    condition: 'water.burst',
    title: '流量骤增',
    severity: 'critical',
    trade: 'plumber',
    at: NOW - 70 * MIN,
    details: { flowM3h: 2.5, floorM3h: 2.4, learnedPeakM3h: 0.8, thresholdM3h: 1.2, minutes: 10, ratedFlowM3h: 6 },
  });
  ids.major = fx.open({ device: 'fr-chiller-1', condition: 'fridge.excursion', title: '冷藏柜超温', severity: 'major', trade: 'canteen', at: NOW - 100 * MIN });
  page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  watch = watchPage(page);
  await staffLogin(page, fx.base, 'zhang', password);
}, 120_000);
afterAll(async () => {
  await page?.close();
  await browser?.close();
  await fx?.stop();
});

const listed = () => page.$$eval('#list li[data-ticket-id]', (lis) => lis.map((li) => Number((li as unknown as { dataset: { ticketId: string } }).dataset.ticketId)));

describe('the ticket list', () => {
  it('is in severity order, the oldest first within a severity', async () => {
    await waitFor('four tickets', async () => (await listed()).length === 4);
    expect(await listed()).toEqual([ids.burst, ids.criticalNew, ids.major, ids.minorOld]);
  });

  it('keeps live tickets within the filters: one that does not match is not shown, one that stops matching leaves', { timeout: 60_000 }, async () => {
    await page.selectOption('select[name=trade]', 'plumber');
    await waitFor('the plumbing tickets only', async () => JSON.stringify(await listed()) === JSON.stringify([ids.burst, ids.minorOld]));
    await waitFor('the socket', async () => (await page.getAttribute('body', 'data-connected')) === 'true');
    // pushed in this order on one socket: once the second is shown, the first has been handled
    const electrical = fx.open({ device: 'tr-main', condition: 'transformer.oil_temp', title: '变压器油温过高', severity: 'critical', trade: 'electrician', at: NOW - 5 * MIN });
    const plumbing = fx.open({ device: 'wm-dorm-3', condition: 'water.continuous_flow', title: '持续用水不停', severity: 'major', trade: 'plumber', at: NOW - 1 * MIN });
    await waitFor('the pushed plumbing ticket, in its place', async () => JSON.stringify(await listed()) === JSON.stringify([ids.burst, plumbing, ids.minorOld]));
    expect(await listed()).not.toContain(electrical);
    // resolved while the list shows the unresolved: it leaves
    fx.tickets.act(ids.minorOld!, 'resolve', '李师傅', '关紧了阀门');
    await waitFor('the resolved ticket gone', async () => !(await listed()).includes(ids.minorOld!));
    // the office's trade changes itself to another trade: it leaves too
    await page.selectOption('select[name=trade]', '');
    await waitFor('all unresolved again', async () => (await listed()).includes(electrical));
  });
});

describe('the office resolves the cleared in bulk', () => {
  it('chooses cleared sensor tickets in the list and resolves them with one button (one POST each)', { timeout: 60_000 }, async () => {
    await page.selectOption('select[name=status]', 'open');
    fx.clear('wm-dorm-2', 'water.night_flow', NOW); // resolved already: not offered
    fx.clear('fr-chiller-1', 'fridge.excursion', NOW - MIN);
    fx.clear('tr-sci', 'transformer.overload', NOW - MIN);
    const box = (id: number) => page.locator(`#list li[data-ticket-id="${id}"] input.bulk-pick`);
    await waitFor('a box on each cleared ticket', async () => (await box(ids.major!).count()) === 1 && (await box(ids.criticalNew!).count()) === 1);
    expect(await page.locator('#list input.bulk-pick').count()).toBe(2);
    await box(ids.major!).check();
    await box(ids.criticalNew!).check();
    expect(await page.textContent('#bulk-resolve')).toBe('办结已恢复的（2）');
    await page.click('#bulk-resolve');
    await waitFor('both resolved and gone from the unresolved', async () => {
      const shown = await listed();
      return !shown.includes(ids.major!) && !shown.includes(ids.criticalNew!);
    });
    for (const id of [ids.major!, ids.criticalNew!]) expect(fx.tickets.get(id)).toMatchObject({ status: 'resolved', resolvedBy: '张主任' });
    expect(await page.textContent('#bulk-status')).toContain('已办结 2 张');
  });
});

describe('a ticket pushed while the list is being fetched', () => {
  it('is not lost when an older answer lands after it (a filter changed as a ticket cleared)', { timeout: 60_000 }, async () => {
    const id = fx.open({ device: 'tr-main', condition: 'transformer.imbalance', title: '三相不平衡', severity: 'minor', trade: 'electrician', at: NOW - 10 * MIN });
    await waitFor('the new ticket listed', async () => (await listed()).includes(id));
    const lists = async () => Number(await page.getAttribute('body', 'data-lists'));
    const before = await lists();
    // the list the filter change asks for is answered by the server now, and given to the page only later
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let answered = false;
    await page.route('**/api/tickets?*', async (route) => {
      // fetched by the test process, which reaches the server over loopback only
      const response = await route.fetch({ url: route.request().url().replace(fx.base, fx.apiBase) });
      answered = true;
      await released;
      await route.fulfill({ response });
    });
    const box = page.locator(`#list li[data-ticket-id="${id}"] input.bulk-pick`);
    try {
      await page.selectOption('select[name=trade]', 'electrician');
      await waitFor('the server answered the list', () => answered);
      // the condition clears after that answer was made: the page hears it on the socket
      fx.clear('tr-main', 'transformer.imbalance', NOW);
      await waitFor('the pushed clearing shown', async () => (await box.count()) === 1);
      release();
      await waitFor('the older list landed', async () => (await lists()) > before);
    } finally {
      release();
      await page.unroute('**/api/tickets?*');
    }
    expect(await box.count()).toBe(1);
    await page.selectOption('select[name=trade]', '');
  });
});

describe('the words a 水电工 uses, and the reading chart', () => {
  it('says 自动监测 and 监测读数, 办结 and 已办结; never 系统, 证据 or 已解决', { timeout: 60_000 }, async () => {
    await page.selectOption('select[name=status]', '');
    await page.click(`#list li[data-ticket-id="${ids.minorOld}"]`);
    await waitFor('the resolved ticket open', async () => (await page.getAttribute('#detail', 'data-status')) === 'resolved');
    const audit = await page.locator('#d-audit li').allTextContents();
    expect(audit[0]).toContain('自动监测 · 生成');
    expect(await page.textContent('#d-facts')).toContain('已办结');
    await page.click(`#list li[data-ticket-id="${ids.burst}"]`);
    await waitFor('the burst open with its readings', async () => Number(await page.getAttribute('figure.readings', 'data-readings')) > 0);
    const text = await page.evaluate(() => (globalThis as unknown as { document: { body: { innerText: string } } }).document.body.innerText);
    for (const word of ['系统', '证据', '已解决']) expect(text).not.toContain(word);
    expect(text).toContain('办结');
  });

  it('draws the readings before detection with the threshold line', async () => {
    const sets = await page.evaluate(() => {
      const g = globalThis as unknown as {
        document: { getElementById(id: string): unknown };
        Chart: { getChart(c: unknown): { data: { datasets: { label: string; data: { x: number; y: number }[] }[] } } };
      };
      return g.Chart.getChart(g.document.getElementById('d-chart')).data.datasets.map((d) => ({ label: d.label, xs: d.data.map((p) => p.x), ys: d.data.map((p) => p.y) }));
    });
    const [readings, ...rest] = sets;
    expect(readings!.label).toBe('监测读数（m³/h）');
    // the hour before the ticket opened (70 min ago): from 130 min ago on, the last minute stored 61 min ago
    expect(Math.min(...readings!.xs)).toBeGreaterThanOrEqual(NOW - 130 * MIN - MIN);
    expect(Math.max(...readings!.xs)).toBeLessThanOrEqual(NOW - 55 * MIN);
    expect(readings!.ys.some((y) => y < 0.5) && readings!.ys.some((y) => y > 2)).toBe(true);
    const threshold = rest.find((d) => d.label.startsWith('报警线'));
    expect(threshold?.label).toBe('报警线 1.2 m³/h');
    expect(new Set(threshold!.ys)).toEqual(new Set([1.2]));
    expect(watch.problems).toEqual([]);
  });

  it('fits a phone once the window narrows, chart and all (its drawn width must not hold the column open)', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    const width = () => page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth);
    await waitFor('one phone-wide column', async () => (await width()) <= 390, { timeoutMs: 15_000 });
    await page.setViewportSize({ width: 1400, height: 900 });
  });

  it('draws no threshold line where the ticket carries none', async () => {
    await page.click(`#list li[data-ticket-id="${ids.minorOld}"]`);
    await waitFor('the night-flow ticket open', async () => (await page.getAttribute('#detail', 'data-ticket-id')) === String(ids.minorOld));
    await waitFor('its chart settled', async () => (await page.getAttribute('figure.readings', 'data-lines')) !== null);
    expect(await page.getAttribute('figure.readings', 'data-lines')).toBe('0');
  });
});
