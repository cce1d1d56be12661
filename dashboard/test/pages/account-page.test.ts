/**
 * /account in headless Chromium at a LAN host name over plain HTTP and over HTTPS (PAGE_ORIGINS):
 * a plumber logged in on a phone and at a desk changes the password at the desk (the current one,
 * the new one twice, 8 characters or more): the phone is logged out, the desk goes on; the office
 * sees the account list, keeps li's phone and WeCom id, and resets li's password (shown once), with
 * which li logs in; a plumber's page has no account list.
 */
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaffDirectory } from '@campus/dashboard';
import { PAGE_ORIGINS, REPO_ROOT, staffLogin, systemAtOrigin, useBrowser, waitFor, watchPage } from '@campus/testkit';

const chromium = useBrowser();

describe.each(PAGE_ORIGINS)('at the %s origin', (origin) => {
  const at = systemAtOrigin(origin, () => ({ CAMPUS_SIM: 'off' }));
  let adminPassword: string;
  let liPassword: string;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    adminPassword = at.adminPassword();
    liPassword = await new StaffDirectory(at.dir.path).add('li', '李师傅', 'plumber');
  });
  afterAll(async () => {
    for (const c of contexts) await c.close();
  });

  /** a new browser (its own cookies), logged in on the login page, at `next` */
  async function loggedIn(username: string, password: string, next: string, viewport = { width: 1280, height: 800 }): Promise<Page> {
    const context = await chromium.browser.newContext({ viewport, ignoreHTTPSErrors: false });
    contexts.push(context);
    const page = await context.newPage();
    await staffLogin(page, at.system.base, username, password, next);
    return page;
  }

  const fillPassword = async (page: Page, current: string, next: string, again = next) => {
    await page.fill('#password input[name=current]', current);
    await page.fill('#password input[name=password]', next);
    await page.fill('#password input[name=again]', again);
    await page.click('#password button[type=submit]');
  };

  it('a worker changes their password: the other browser is logged out, this one goes on', { timeout: 180_000 }, async () => {
    const phone = await loggedIn('li', liPassword, '/tickets', { width: 390, height: 844 });
    const desk = await loggedIn('li', liPassword, '/account');
    const watch = watchPage(desk);
    expect(await desk.isHidden('#staff')).toBe(true); // not the office

    await fillPassword(desk, liPassword, 'longer-pw-1', 'longer-pw-2');
    await waitFor('the mismatch', async () => (await desk.textContent('#password-result')) === '两次输入的新密码不一致');
    await fillPassword(desk, 'not-the-password', 'longer-pw-1');
    await waitFor('the wrong current password', async () => (await desk.textContent('#password-result')) === '当前密码不正确');
    await fillPassword(desk, liPassword, '新密码-li-2026');
    await waitFor('the change', async () => (await desk.textContent('#password-result')) === '密码已修改；此账号在其他浏览器上的登录已退出');

    // the phone: its next request is refused, the page goes to the login
    await phone.reload();
    await phone.waitForURL(/\/login\?next=/);
    // the desk: still logged in, and its new CSRF token works
    await desk.reload();
    await desk.waitForSelector('body[data-ready="true"]');
    expect(desk.url()).toBe(`${at.system.base}/account`);
    liPassword = '新密码-li-2026';
    expect(watch.problems).toEqual([]);
  });

  it('the office sees the accounts, keeps a phone and WeCom id, and resets a password shown once', { timeout: 180_000 }, async () => {
    const office = await loggedIn('admin', adminPassword, '/account', { width: 1280, height: 720 });
    const watch = watchPage(office);
    office.on('dialog', (d) => void d.accept());
    await office.waitForSelector('body[data-accounts="2"]');
    const row = (cells: string) => office.$$eval(`#accounts tr[data-username="li"] ${cells}`, (tds) => tds.map((td) => td.textContent));
    expect((await row('td')).slice(0, 4)).toEqual(['li', '李师傅', '水工', '正常']);

    await office.fill('#accounts tr[data-username="li"] input[name=phone]', '138 0013 8000');
    await office.fill('#accounts tr[data-username="li"] input[name=wecomUserId]', 'LiShiFu');
    await office.click('#accounts tr[data-username="li"] button.save');
    await waitFor('saved', async () => (await office.textContent('#accounts tr[data-username="li"] .ok')) === '已保存');
    expect(new StaffDirectory(at.dir.path).get('li')).toMatchObject({ phone: '138 0013 8000', wecomUserId: 'LiShiFu' });

    await office.click('#accounts tr[data-username="li"] button.reset');
    await office.waitForSelector('#reset-result code');
    const shown = (await office.textContent('#reset-result code'))!;
    expect(await office.textContent('#reset-result')).toBe(`李师傅 的新密码（只显示这一次）：${shown}`);
    if (origin === 'lan') await office.screenshot({ path: join(REPO_ROOT, 'docs/screenshots/account.png') });

    // li logs in with it (the old one no longer works)
    const li = await loggedIn('li', shown, '/account');
    expect(await li.isHidden('#staff')).toBe(true);
    expect(await li.textContent('body')).not.toContain('138 0013 8000');
    expect(await new StaffDirectory(at.dir.path).verify('li', liPassword)).toBeNull();
    expect(watch.problems).toEqual([]);
  });
});
