/**
 * Adopting a pending device on /devices, in real headless Chromium: the office admin sees a
 * Tasmota plug that connected but is not in the ledger, fills in where it is, and it joins the
 * ledger (and the campus file) without a restart; its next message is a reading. A plumber sees
 * the list but cannot adopt. At a LAN host name over plain HTTP and over HTTPS (PAGE_ORIGINS).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { StaffDirectory } from '@campus/dashboard';
import { SqliteReadingStore } from '@campus/store';
import { dbPath } from '@campus/runtime';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { campusCli, campusFileWith, mosquittoPub, PAGE_ORIGINS, REPO_ROOT, staffLogin, systemAtOrigin, useBrowser, waitFor, watchPage } from '@campus/testkit';
import { chineseLeft } from './untranslated.ts';

const sensor = () => JSON.stringify({ Time: new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 19), ENERGY: { Total: 8.25, Power: 640 } });

const chromium = useBrowser();

describe.each(PAGE_ORIGINS)('at the %s origin', (origin) => {
  let file: string;
  const at = systemAtOrigin(origin, (dataDir) => {
    file = campusFileWith(dataDir).file;
    return { CAMPUS_CONFIG: file, CAMPUS_SIM: 'off' };
  });
  const dir = at.dir;
  let admin: string;
  let plumber: string;

  beforeAll(async () => {
    const staff = new StaffDirectory(dir.path);
    admin = await staff.add('zhang', '张老师', 'admin');
    plumber = await staff.add('li', '李师傅', 'plumber');
  });

  describe('adopting a pending device', () => {
    it('the office admin adopts a Tasmota plug into the ledger; it reports from its next message', { timeout: 300_000 }, async () => {
      const out = await campusCli({ CAMPUS_DATA_DIR: dir.path, CAMPUS_CONFIG: file }, 'device', 'add', '--format', 'tasmota', '--id', 'tasmota_LAB2');
      const password = /password {2}: (\S+)/.exec(out)![1]!;
      const publish = () =>
        waitFor(
          'mosquitto_pub accepted',
          async () =>
            (
              await mosquittoPub(at.system.mqttPort, [
                '-i',
                'tasmota_LAB2',
                '-u',
                'tasmota_LAB2',
                '-P',
                password,
                '-t',
                'tele/tasmota_LAB2/SENSOR',
                '-m',
                sensor(),
              ])
            ).status === 0,
          {
            timeoutMs: 30_000,
            everyMs: 500,
          },
        );
      await publish();
      await waitFor('the plug pending in the store', () => {
        const s = new SqliteReadingStore(dbPath(dir.path), { readonly: true });
        try {
          return s.pendingDevices().some((p) => p.id === 'tasmota_LAB2');
        } finally {
          s.close();
        }
      });

      const page = await chromium.browser.newPage({ viewport: { width: 1400, height: 900 } });
      const watch = watchPage(page);

      // a plumber sees it, without the button
      await staffLogin(page, at.system.base, 'li', plumber, '/devices');
      await page.waitForSelector('#pending:not([hidden]) tr[data-pending="tasmota:tasmota_LAB2"]');
      expect(await page.locator('#pending-table button').count()).toBe(0);
      // and in English: the pending list and the adopt form have no Chinese left
      await page.goto(`${at.system.base}/devices?lang=en`);
      await page.waitForSelector('#pending:not([hidden]) tr[data-pending="tasmota:tasmota_LAB2"]');
      expect(await page.textContent('tr[data-pending="tasmota:tasmota_LAB2"]')).toContain('The facilities admin adopts devices');
      expect(await page.textContent('tr[data-pending="tasmota:tasmota_LAB2"]')).toContain('Tasmota (energy plugs');
      expect(await chineseLeft(page, { within: '#pending' })).toEqual([]);
      await page.goto(`${at.system.base}/devices?lang=zh`);
      await page.waitForSelector('body[data-ready="true"]');
      await page.context().clearCookies();

      await staffLogin(page, at.system.base, 'zhang', admin, '/devices');
      const row = page.locator('tr[data-pending="tasmota:tasmota_LAB2"]');
      await row.waitFor();
      expect(await row.textContent()).toContain('totalKWh=8.25');
      await row.locator('button').click();
      expect(await page.inputValue('#adopt select[name=kind]')).toBe('electric_meter'); // guessed from its values
      await page.fill('#adopt input[name=id]', 'em-lab2-kettle');
      await page.fill('#adopt input[name=name]', '实验室2 电热水壶插座');
      await page.selectOption('#adopt select[name=building]', 'science');
      await page.fill('#adopt input[name=floor]', '2');
      if (origin === 'lan') await page.locator('#pending').screenshot({ path: join(REPO_ROOT, 'docs/screenshots/devices-adopt.png') });
      await page.click('#adopt button[type=submit]');
      await page.waitForSelector('tr[data-device-id="em-lab2-kettle"]', { timeout: 30_000 });
      await page.waitForSelector('#pending[hidden]', { state: 'attached' });
      expect(readFileSync(file, 'utf8')).toMatch(/id: em-lab2-kettle.*format: tasmota, id: tasmota_LAB2/);

      await publish();
      await waitFor(
        'the adopted plug reporting on the page',
        async () => {
          await page.reload();
          await page.waitForSelector('body[data-ready="true"]');
          return (await page.locator('tr[data-device-id="em-lab2-kettle"]').textContent())?.includes('8.3 kWh');
        },
        { timeoutMs: 60_000, everyMs: 1000 },
      );
      expect(watch.problems).toEqual([]);
    });
  });
});
