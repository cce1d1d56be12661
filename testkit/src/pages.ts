/**
 * What the page tests share: one headless Chromium for a test file, the whole system at a page
 * origin on a data dir of its own, and a page opened until it is ready. Hooks are registered where
 * these are called (at the top of a file, or in a describe block), in the order the calls stand.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContextOptions, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { launchChromium, watchPage, type ChromiumOptions, type PageWatch } from './browser.ts';
import { pageReady } from './repair-desk.ts';
import { startSystem, type PageOrigin, type RunningSystem } from './system.ts';
import { tempDir } from './temp.ts';

/** Launches Chromium before the tests of the block it is called in and closes it after them. */
export function useBrowser(options: ChromiumOptions = {}): { readonly browser: Browser } {
  const held: { browser?: Browser } = {};
  beforeAll(async () => {
    held.browser = await launchChromium(options);
  });
  afterAll(() => held.browser?.close());
  return held as { readonly browser: Browser };
}

export interface SystemAtOrigin {
  /** CAMPUS_DATA_DIR, removed after the block */
  dir: { path: string; remove(): void };
  /** the running system; a test that restarts it puts the new one here, which is stopped after the block */
  system: RunningSystem;
  /** the first-run admin's password (secrets/initial-admin-password) */
  adminPassword(): string;
}

/**
 * For a describe.each(PAGE_ORIGINS) block: a temp data dir and the system started at `origin`
 * before its tests, stopped after them. `prepare` runs first (on the empty data dir) and gives the
 * environment beyond CAMPUS_DATA_DIR.
 */
export function systemAtOrigin(
  origin: PageOrigin,
  prepare: (dataDir: string) => Record<string, string> | Promise<Record<string, string>> = () => ({}),
): SystemAtOrigin {
  const dir = tempDir();
  const at = { dir, adminPassword: () => readFileSync(join(dir.path, 'secrets', 'initial-admin-password'), 'utf8').trim() } as SystemAtOrigin;
  beforeAll(async () => {
    at.system = await startSystem({ CAMPUS_DATA_DIR: dir.path, ...(await prepare(dir.path)) }, { origin });
  });
  afterAll(async () => {
    await at.system?.stop();
    dir.remove();
  });
  return at;
}

/** A new page, watched from the start, at `url` and ready (pageReady: its own failure is thrown at once). */
export async function openReady(browser: Browser, url: string, options: BrowserContextOptions = {}): Promise<{ page: Page; watch: PageWatch }> {
  const page = await browser.newPage(options);
  const watch = watchPage(page);
  await page.goto(url);
  await pageReady(page);
  return { page, watch };
}
