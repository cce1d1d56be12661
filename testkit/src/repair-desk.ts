/**
 * Helpers for tests that walk the repair desk through the running system's pages: a staff login
 * on the login page, a page's own "ready" (or its failure), the report's CSV files read back, and
 * a process started with its clock ahead (a report covers complete days only: today's tickets are
 * in tomorrow's).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';

/** Waits for a page to say it is ready (`body[data-ready]`); its own failure (`body[data-error]`) is thrown at once. */
export async function pageReady(page: Page, timeoutMs = 60_000): Promise<void> {
  await page.waitForSelector('body[data-ready="true"], body[data-error]', { timeout: timeoutMs });
  const error = await page.getAttribute('body', 'data-error');
  if (error) throw new Error(`${page.url()} failed to start: ${error}`);
}

/** Opens a staff page, logs in on the login page it sends to, and waits for the page to be ready. */
export async function staffLogin(page: Page, base: string, username: string, password: string, next = '/tickets'): Promise<void> {
  await page.goto(`${base}${next}`);
  await page.waitForURL(/\/login\?next=/);
  await page.fill('input[name=username]', username);
  await page.fill('input[name=password]', password);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}${next}`);
  await pageReady(page);
}

/** A CSV file (RFC 4180, with or without the BOM) as rows of cells. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  const body = text.replace(/^\uFEFF/, '');
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') ((cell += '"'), i++);
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') (row.push(cell), (cell = ''));
    else if (c === '\n') (row.push(cell.replace(/\r$/, '')), rows.push(row), (row = []), (cell = ''));
    else cell += c;
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

/** A CSV file's rows as objects keyed by its header line. */
export function csvRecords(text: string): Record<string, string>[] {
  const [header = [], ...rows] = parseCsv(text);
  return rows.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
}

/**
 * NODE_OPTIONS for a process whose clock runs `ms` ahead (Date.now() and new Date(); timers and
 * performance.now() are left alone): a preload written to `dir`, given to `node --import`.
 */
export function clockAheadOptions(dir: string, ms: number): string {
  const file = join(dir, 'clock-ahead.mjs');
  writeFileSync(
    file,
    `const real = Date, now = real.now, ahead = ${Number(ms)};
class Ahead extends real { constructor(...a) { if (a.length) super(...a); else super(now() + ahead); } static now() { return now() + ahead; } }
globalThis.Date = Ahead;
`,
  );
  return [process.env.NODE_OPTIONS, `--import=${pathToFileURL(file).href}`].filter(Boolean).join(' ');
}
