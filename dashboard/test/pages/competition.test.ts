/**
 * /competition on a lobby screen (display token), over three weeks of classroom readings written
 * into the store before the system starts: the ranking against the baseline corrected by the
 * school's change, the 先进班级 (only a class that saved), the money saved, a week in which nobody
 * saved, a class's daily chart, and the printed notice (print-to-PDF). At a LAN host name over plain HTTP and over
 * HTTPS (PAGE_ORIGINS).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DisplayTokens } from '@campus/dashboard';
import { openReady, PAGE_ORIGINS, REPO_ROOT, systemAtOrigin, useBrowser } from '@campus/testkit';
import { campus, writeClassReadings } from './class-readings.ts';
import { chineseLeft } from './untranslated.ts';

const chromium = useBrowser();

describe.each(PAGE_ORIGINS)('at the %s origin', (origin) => {
  const at = systemAtOrigin(origin, async (dataDir) => {
    await writeClassReadings(dataDir);
    return { CAMPUS_SIM: 'off' };
  });

  describe('class energy-saving board', () => {
    /** the lobby screen's board for a competition week (11-16..20: the one the classes changed in) */
    async function openBoard(query = '', from = '2026-11-16', to = '2026-11-20') {
      const token = new DisplayTokens(at.dir.path).add('大厅评比屏').token;
      const { page, watch } = await openReady(chromium.browser, `${at.system.base}/competition?token=${token}${query}`, {
        viewport: { width: 1600, height: 1000 },
      });
      await page.selectOption('select[name=period]', 'custom');
      await page.fill('input[name=from]', from);
      await page.fill('input[name=to]', to);
      await page.dispatchEvent('#choose', 'change');
      await page.waitForSelector('body[data-ranked="4"]', { timeout: 30_000 });
      return { page, watch };
    }

    it('ranks the classes of a custom window, names the 先进班级, and prints', { timeout: 120_000 }, async () => {
      const { page, watch } = await openBoard();

      const rows = await page.$$eval('#saving tbody tr', (trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)));
      // the four together used 66 kWh a school day against 74 before (-10.8 %): each class's
      // saving is against its baseline times that change (measured: 25 %, 10 %, 5.6 %, 0 %)
      expect(rows.map((r) => [r[0], r[1], r[4], r[5]])).toEqual([
        ['1', '高一(1)班', '15.9 %', '9 元'],
        ['2', '高一(2)班', '-0.9 %', '多用 1 元'],
        ['3', '高三(5)班', '-5.9 %', '多用 3 元'],
        ['4', '高二(1)班', '-12.1 %', '多用 5 元'],
      ]);
      // only a class that saved is named
      expect(await page.textContent('#winners')).toBe('先进班级：高一(1)班　共节约 9 元');
      expect(await page.textContent('#window')).toContain('基线：评比前 2026-10-26 至 2026-11-06（10 个上课日，考试周不计），按全校同期变化 −10.8 % 校正');
      if (origin === 'lan') await page.screenshot({ path: join(REPO_ROOT, 'docs/screenshots/competition.png') });

      const pdf = await page.pdf({ format: 'A4' });
      expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
      expect(pdf.length).toBeGreaterThan(10_000);
      expect(watch.problems).toEqual([]);
    });

    it('a week in which no class used less than its baseline names no 先进班级 and says so', { timeout: 120_000 }, async () => {
      // 11-02..06: every class at its level of the 10 school days before
      const { page, watch } = await openBoard('', '2026-11-02', '2026-11-06');
      expect(await page.textContent('#winners')).toBe('本期各班用电均未低于基线，不评先进班级');
      expect(await page.$$eval('#saving tr.top', (trs) => trs.length)).toBe(0);
      const cells = await page.$$eval('#saving tbody td', (tds) => tds.map((td) => td.textContent ?? ''));
      expect(cells.filter((c) => c.includes('-'))).toEqual([]);
      expect(await page.textContent('#window')).toContain('基线：评比前 2026-10-19 至 2026-10-30（10 个上课日，考试周不计），按全校同期变化 +0.0 % 校正');
      expect(watch.problems).toEqual([]);
      await page.close();
    });

    it('says nothing in Chinese in English but the class names', { timeout: 120_000 }, async () => {
      const { page, watch } = await openBoard('&lang=en');
      expect(await page.textContent('#winners')).toContain('Best classes: 高一(1)班 · saved ¥9 in all');
      expect(await page.textContent('#title')).toBe('Custom period: class power-saving contest');
      expect(await chineseLeft(page, { names: [campus.site.name] })).toEqual([]);
      expect(watch.problems).toEqual([]);
      await page.close();
    });
  });
});
