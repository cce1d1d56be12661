/**
 * /tickets and /devices in real headless Chromium. A plumber logs in on the login page, takes a
 * ticket from an injected fault through acknowledge and resolve (a note is required), and is shown
 * no actions on an electrical ticket. The ledger filters, draws a device's history, and shows a
 * device named like an HTML tag as text. The ticket page fits a phone. Each at a LAN host name over
 * plain HTTP and over HTTPS (PAGE_ORIGINS), with nothing failing on the page.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { StaffDirectory } from '@campus/dashboard';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { campusCli, PAGE_ORIGINS, REPO_ROOT, staffLogin, systemAtOrigin, useBrowser, waitFor, watchPage } from '@campus/testkit';
import { chineseLeft } from './untranslated.ts';

const SITE_NAME = loadCampus(DEMO_CAMPUS_FILE).site.name;

const HOSTILE = '<img src=x onerror=alert(1)>';
const chromium = useBrowser();

describe.each(PAGE_ORIGINS)('at the %s origin', (origin) => {
  const at = systemAtOrigin(origin, (dataDir) => {
    // the demo campus with a device whose name is an HTML tag
    const campusFile = join(dataDir, 'campus.yaml');
    writeFileSync(campusFile, readFileSync(DEMO_CAMPUS_FILE, 'utf8').replace('name: 高一(1)班电表', `name: "${HOSTILE}"`));
    return { CAMPUS_CONFIG: campusFile };
  });
  const { dir } = at;
  let plumberPassword: string;

  beforeAll(async () => {
    plumberPassword = await new StaffDirectory(dir.path).add('li', '李师傅', 'plumber');
  });

  const loginAs = (page: Page, username: string, password: string, next: string) => staffLogin(page, at.system.base, username, password, next);

  if (origin === 'https')
    it('a browser that logged in over HTTPS can log in over plain HTTP on the same host too (a wall PC, a phone)', { timeout: 120_000 }, async () => {
      const context = await chromium.browser.newContext({ viewport: { width: 1400, height: 900 } });
      try {
        const page = await context.newPage();
        await loginAs(page, 'li', plumberPassword, '/tickets');
        // the same browser at the plain-HTTP address of the same host: its Secure cookie must not
        // keep the plain page's own cookie out (before: the login answered 200 and nothing stuck)
        const plain = `http://${new URL(at.system.base).hostname}:${at.system.httpPort}`;
        await staffLogin(page, plain, 'li', plumberPassword, '/tickets');
        expect(await page.textContent('#who')).toBe('李师傅（水工）');
        // and back on HTTPS the session there still holds
        await page.goto(`${at.system.base}/tickets`);
        await page.waitForSelector('body[data-ready="true"]', { timeout: 60_000 });
        expect(page.url()).toBe(`${at.system.base}/tickets`);
      } finally {
        await context.close();
      }
    });

  describe('ticket handling by staff', () => {
    it('a plumber acknowledges and resolves (with a required note); electrical tickets are not theirs', { timeout: 360_000 }, async () => {
      const page = await chromium.browser.newPage({ viewport: { width: 1400, height: 900 } });
      const watch = watchPage(page);
      const wrong = await page.goto(`${at.system.base}/login`);
      expect(wrong?.status()).toBe(200);
      await page.fill('input[name=username]', 'li');
      await page.fill('input[name=password]', 'not-it');
      await page.click('button[type=submit]');
      await waitFor('the login error', async () => (await page.textContent('#error')) === '用户名或密码错误');

      await loginAs(page, 'li', plumberPassword, '/tickets');
      expect(await page.textContent('#who')).toBe('李师傅（水工）');

      await campusCli(dir.path, 'fault', 'add', 'meter_leak', 'wm-dorm-2');
      await campusCli(dir.path, 'fault', 'add', 'overload', 'tr-sci', '--pct', '160');
      const leak = page.locator('#list li', { hasText: '水表报警：漏水' });
      const power = page.locator('#list li', { hasText: '变压器严重过载' });
      await waitFor('both tickets listed live', async () => (await leak.count()) === 1 && (await power.count()) === 1, { timeoutMs: 180_000, everyMs: 500 });

      await power.click();
      await waitFor('the electrical ticket open', async () => (await page.textContent('#d-title'))?.includes('变压器严重过载'));
      expect(await page.locator('#d-actions button').count()).toBe(0); // not the plumber's trade

      await leak.click();
      await waitFor('the leak ticket open', async () => (await page.textContent('#d-title'))?.includes('水表报警：漏水'));
      await page.click('button[data-action=ack]');
      await waitFor('acknowledged', async () => (await page.getAttribute('#detail', 'data-status')) === 'acknowledged');
      await page.click('button[data-action=resolve]');
      expect(await page.textContent('#d-error')).toBe('办结需要填写处理说明');
      await page.fill('#d-actions textarea', '更换了漏水的阀门');
      await page.click('button[data-action=resolve]');
      await page.selectOption('select[name=status]', '');
      await waitFor('resolved, with the audit trail', async () => {
        const audit = await page.locator('#d-audit li').allTextContents();
        return (await page.getAttribute('#detail', 'data-status')) === 'resolved' && audit.some((a) => a.includes('李师傅 · 办结：更换了漏水的阀门'));
      });
      if (origin === 'lan') await page.screenshot({ path: join(REPO_ROOT, 'docs/screenshots/tickets.png') });

      // the same page on a phone: one column, nothing wider than the screen
      await page.setViewportSize({ width: 390, height: 844 });
      await page.waitForTimeout(300);
      expect(
        await page.evaluate(() => (globalThis as unknown as { document: { documentElement: { scrollWidth: number } } }).document.documentElement.scrollWidth),
      ).toBeLessThanOrEqual(390);
      if (origin === 'lan') await page.screenshot({ path: join(REPO_ROOT, 'docs/screenshots/tickets-phone.png') });
      expect(watch.problems).toEqual([]);
      await page.close();
    });
  });

  describe('in English', () => {
    it('the ticket page says nothing in Chinese but what the detector and people wrote, titles included', { timeout: 120_000 }, async () => {
      const page = await chromium.browser.newPage({ viewport: { width: 1400, height: 900 } });
      const watch = watchPage(page);
      await loginAs(page, 'li', plumberPassword, '/tickets?lang=en');
      await page.selectOption('select[name=status]', '');
      const leak = page.locator('#list li', { hasText: 'Meter alarm: leak' });
      await waitFor('the resolved leak ticket listed', async () => (await leak.count()) === 1, { timeoutMs: 30_000 });
      expect(await page.locator('#list li', { hasText: 'Transformer severely overloaded' }).count()).toBe(1);
      await leak.click();
      await waitFor(
        'its detail and history',
        async () => (await page.locator('#d-audit li').count()) > 0 && (await page.textContent('#d-title'))?.includes('Meter alarm: leak'),
      );
      expect(await page.locator('#d-audit').textContent()).toContain('李师傅 · resolved: 更换了漏水的阀门');
      expect(await page.locator('#d-actions button').allTextContents()).toEqual(['Reopen']);
      // the meter's alarm has an English summary: built from the ticket's flags, not the server's Chinese
      expect(await page.textContent('#d-summary')).toBe("The meter's own alarm status: LEAK");
      expect(await chineseLeft(page, { within: '#d-summary', server: false })).toEqual([]);
      expect(await chineseLeft(page)).toEqual([]);
      expect(watch.problems).toEqual([]);
      await page.close();
    });

    it("the ledger says nothing in Chinese but the campus file's names", { timeout: 120_000 }, async () => {
      const page = await chromium.browser.newPage({ viewport: { width: 1400, height: 900 } });
      const watch = watchPage(page);
      await loginAs(page, 'li', plumberPassword, '/devices?lang=en');
      expect(await page.locator('#ledger tbody tr').count()).toBe(42);
      await waitFor('the transformer online', async () => (await page.textContent('tr[data-device-id="tr-main"]'))?.includes('online'), { timeoutMs: 60_000 });
      await page.click('tr[data-device-id="tr-main"]');
      await waitFor('its history drawn', async () => Number(await page.getAttribute('#history', 'data-points')) > 0);
      expect(await page.textContent('#h-title')).toContain('Worst-phase current');
      expect(await chineseLeft(page, { names: [SITE_NAME] })).toEqual([]);
      expect(watch.problems).toEqual([]);
      await page.close();
    });
  });

  describe('asset ledger', () => {
    it('lists every device, filters by kind and building, draws a history, and shows names as text', { timeout: 120_000 }, async () => {
      const page = await chromium.browser.newPage({ viewport: { width: 1400, height: 900 } });
      const watch = watchPage(page);
      const dialogs: string[] = [];
      page.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await loginAs(page, 'li', plumberPassword, '/devices');
      expect(await page.locator('#ledger tbody tr').count()).toBe(42);
      const hostile = page.locator('tr[data-device-id="em-g1c1"] td.name');
      expect(await hostile.textContent()).toBe(HOSTILE);
      expect(await page.locator('#ledger img').count()).toBe(0);

      await page.selectOption('select[name=kind]', 'transformer');
      expect(await page.locator('#ledger tbody tr').count()).toBe(2);
      await page.selectOption('select[name=kind]', '');
      await page.selectOption('select[name=building]', 'dorm');
      expect(await page.locator('#ledger tbody tr').count()).toBe(7); // 6 floor water meters and the building meter

      await page.selectOption('select[name=building]', '');
      await waitFor('the transformer has readings', async () => (await page.textContent('tr[data-device-id="tr-main"]'))?.includes('在线'), {
        timeoutMs: 60_000,
      });
      await page.click('tr[data-device-id="tr-main"]');
      await waitFor('its history drawn', async () => Number(await page.getAttribute('#history', 'data-points')) > 0);
      if (origin === 'lan') await page.screenshot({ path: join(REPO_ROOT, 'docs/screenshots/devices.png') });
      expect(dialogs).toEqual([]);
      expect(watch.problems).toEqual([]);
      await page.close();
    });
  });
});
