/**
 * Triage and dispatch on /tickets, in headless Chromium at a LAN host name over plain HTTP, on the
 * dashboard with a real TicketService: two people report from room T-201 (the second in other
 * words); the office sees them under 新报修 first, with the reporter's name, phone and photo,
 * assigns the first to 李师傅, sets it 紧急 and merges the second into it. 李师傅, a plumber on a
 * phone (390×844), finds it under 我的工单, acknowledges, comments, adds a photo from the camera
 * and resolves it with materials and cost. Every step is in the ticket's audit trail.
 */
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, REPO_ROOT, staffLogin, waitFor, watchPage } from '@campus/testkit';
import { startTicketsDashboard, type TicketsFixture } from './tickets-fixture.ts';
import { chineseLeft } from './untranslated.ts';

let browser: Browser;
let fx: TicketsFixture;
const passwords: Record<string, string> = {};
let first: number;
let second: number;

/** a small photo as a phone camera might send it (PNG; the server re-encodes it as JPEG) */
function photo(): Buffer {
  const png = new PNG({ width: 64, height: 48 });
  for (let i = 0; i < png.data.length; i += 4) png.data.set([40 + (i % 200), 120, 200, 255], i);
  return PNG.sync.write(png);
}

beforeAll(async () => {
  [browser, fx] = await Promise.all([launchChromium(), startTicketsDashboard()]);
  passwords.zhang = await fx.addStaff('zhang', '张主任', 'admin');
  passwords.li = await fx.addStaff('li', '李师傅', 'plumber');
  await fx.addStaff('wang', '王师傅', 'electrician');
  const upload = await fetch(`${fx.apiBase}/api/public/photos`, { method: 'POST', headers: { 'content-type': 'image/png', origin: fx.apiBase }, body: photo() });
  expect(upload.status).toBe(201);
  const { id: photoId } = (await upload.json()) as { id: string };
  const report = (kind: 'water' | 'other', text: string, extra = {}) =>
    fx.tickets.report({ siteId: 'dongnan', roomId: 'T-201', kind, text, ...extra });
  first = (await report('water', '教室后面的水龙头一直滴水', { reporterName: '王老师', reporterPhone: '138 0013 8000', photoIds: [photoId] })).ticketId;
  second = (await report('other', '后墙水管那里有水流到地上')).ticketId;
  // a sensor ticket too: the new requests come before it although it is critical
  fx.open({ device: 'wm-dorm-1', condition: 'water.burst', title: '流量骤增', severity: 'critical', trade: 'plumber', at: Date.now() - 600_000 });
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await fx?.stop();
});

const listed = (page: Page) =>
  page.$$eval('#list li', (lis) => lis.map((li) => (li as unknown as { dataset: { ticketId?: string }; className: string }).dataset.ticketId ?? li.className));

describe('in English', () => {
  it("the office's view of a request says nothing in Chinese but what people wrote and the campus' names", { timeout: 60_000 }, async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    try {
      const page = await context.newPage();
      const watch = watchPage(page);
      await staffLogin(page, fx.base, 'zhang', passwords.zhang!, '/tickets?lang=en');
      await page.click(`#list li[data-ticket-id="${first}"]`);
      await waitFor('the request open', async () => (await page.getAttribute('#detail', 'data-ticket-id')) === String(first));
      await waitFor('its dispatch form filled', async () => (await page.locator('#d-dispatch select[name=to] option').count()) > 1);
      expect(await page.textContent('#d-request')).toContain('Water');
      expect(await chineseLeft(page)).toEqual([]);
      expect(watch.problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});

describe('the office dispatches, the worker repairs', () => {
  let office: BrowserContext;
  let worker: BrowserContext;
  afterAll(async () => {
    await office?.close();
    await worker?.close();
  });

  it('the office sees the new requests first, assigns one to 李师傅, sets it 紧急 and merges the duplicate', { timeout: 120_000 }, async () => {
    office = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
    const page = await office.newPage();
    const watch = watchPage(page);
    await staffLogin(page, fx.base, 'zhang', passwords.zhang!);
    const rows = await listed(page);
    expect(rows.slice(0, 3)).toEqual(['group fresh', String(first), String(second)]);
    expect(rows[3]).toBe('group rest');

    await page.click(`#list li[data-ticket-id="${first}"]`);
    await waitFor('the request open', async () => (await page.getAttribute('#detail', 'data-ticket-id')) === String(first));
    const request = await page.textContent('#d-request');
    expect(request).toContain('王老师');
    expect(request).toContain('138 0013 8000');
    expect(await page.getAttribute('#d-request a[href^="tel:"]', 'href')).toBe('tel:13800138000');
    expect(await page.textContent('#d-summary')).toBe('教室后面的水龙头一直滴水');
    await waitFor('its photo shown', async () => page.$eval('#d-photos img', (img) => (img as unknown as { naturalWidth: number }).naturalWidth > 0));
    await page.click('#d-photos button');
    await waitFor('the photo enlarged', async () => page.$eval('#photo-view', (d) => (d as unknown as { open: boolean }).open));
    await page.click('#photo-view button');

    // the assignee menu: name and role, the plumbers first for a water request
    const options = await page.locator('#d-dispatch select[name=to] option').allTextContents();
    expect(options[1]).toBe('李师傅（水工）');
    expect(options).toContain('王师傅（电工）');
    await page.selectOption('#d-dispatch select[name=to]', 'li');
    await page.screenshot({ path: join(REPO_ROOT, 'docs/screenshots/tickets-office.png') });
    await page.click('#d-dispatch button[data-change=assign]');
    await waitFor('assigned to 李师傅', async () => (await page.textContent('#d-facts'))?.includes('李师傅'));
    await page.selectOption('#d-dispatch select[name=severity]', 'critical');
    await page.click('#d-dispatch button[data-change=triage]');
    await waitFor('now 紧急', async () => (await page.textContent('#d-where'))?.includes('紧急'));
    const assigned = fx.tickets.get(first)!;
    expect(assigned).toMatchObject({ assignee: 'li', assigneeName: '李师傅', severity: 'critical' });
    // 紧急 brings its own due time: 30 minutes from the report (the form sends no due time the office did not change)
    expect(Date.parse(assigned.dueAt!) - Date.parse(assigned.openedAt)).toBe(30 * 60_000);

    // the duplicate from the same room, in other words: merged into the first
    await page.click(`#list li[data-ticket-id="${second}"]`);
    await waitFor('the duplicate open', async () => (await page.getAttribute('#detail', 'data-ticket-id')) === String(second));
    await waitFor('the first offered to merge into', async () =>
      (await page.locator('#d-dispatch select[name=into] option').allTextContents()).some((o) => o.startsWith(`#${first} `)),
    );
    await page.selectOption('#d-dispatch select[name=into]', String(first));
    await page.click('#d-dispatch button[data-change=merge]');
    await waitFor('the duplicate merged and gone from the unresolved', async () => !(await listed(page)).includes(String(second)));
    expect(fx.tickets.get(second)).toMatchObject({ status: 'resolved', mergedInto: first });
    expect(fx.tickets.get(first)!.reports).toBe(2);
    expect(watch.problems).toEqual([]);
  });

  it('李师傅 on a phone finds it under 我的工单, acknowledges, comments, adds a photo and resolves with materials and cost', { timeout: 120_000 }, async () => {
    worker = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    const page = await worker.newPage();
    const watch = watchPage(page);
    await staffLogin(page, fx.base, 'li', passwords.li!);
    await page.check('input[name=mine]');
    await waitFor('only his ticket', async () => JSON.stringify(await listed(page)) === JSON.stringify([String(first)]));
    await page.click(`#list li[data-ticket-id="${first}"]`);
    await waitFor('his ticket open', async () => (await page.getAttribute('#detail', 'data-ticket-id')) === String(first));
    expect(await page.isVisible('#d-dispatch')).toBe(false); // the office's, not his
    expect(await page.locator('#d-actions button[data-action=take]').count()).toBe(0); // his already

    await page.click('button[data-action=ack]');
    await waitFor('acknowledged', async () => (await page.getAttribute('#detail', 'data-status')) === 'acknowledged');
    await page.fill('#d-actions textarea', '已到现场，阀芯老化');
    await page.click('button[data-action=comment]');
    await waitFor('the comment in the history', async () => (await page.locator('#d-audit li').allTextContents()).some((a) => a.includes('李师傅 · 备注：已到现场，阀芯老化')));
    await page.setInputFiles('#d-actions input[type=file]', { name: 'IMG_0001.png', mimeType: 'image/png', buffer: photo() });
    await waitFor('his photo added', async () => fx.tickets.get(first)!.photos.length === 2);

    await page.fill('#d-actions textarea', '更换水龙头阀芯');
    await page.fill('#d-actions input[name=materials]', '陶瓷阀芯 1 个');
    await page.fill('#d-actions input[name=costYuan]', '35');
    // one column, nothing wider than the phone
    expect(await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await page.screenshot({ path: join(REPO_ROOT, 'docs/screenshots/tickets-worker-phone.png'), fullPage: true });
    await page.click('button[data-action=resolve]');
    await waitFor('resolved', async () => (await page.getAttribute('#detail', 'data-status')) === 'resolved');
    expect(fx.tickets.get(first)).toMatchObject({ status: 'resolved', resolvedBy: '李师傅', resolution: { note: '更换水龙头阀芯', materials: '陶瓷阀芯 1 个', costYuan: 35 } });
    expect(await page.textContent('#d-facts')).toContain('35.00 元');
    const actions = fx.tickets.get(first)!.audit.map((a) => `${a.actor} ${a.action}`);
    expect(actions).toEqual(expect.arrayContaining(['张主任 assigned', '张主任 triaged', '张主任 merged', '李师傅 ack', '李师傅 commented', '李师傅 photo', '李师傅 resolve']));
    expect(watch.problems).toEqual([]);
  });
});
