/**
 * Debian's Chromium, headless, through playwright-core (docs/developing/platform-facts.md: playwright cannot download
 * browsers here). It resolves LAN_HOST to 127.0.0.1 (a non-loopback origin whose traffic stays on
 * this machine) and trusts the test certificate, so a page test can run at every PageOrigin.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { LAN_HOST, testCertificate } from './system.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface ChromiumOptions {
  /** flags beyond the test defaults, e.g. a kiosk TV's `--autoplay-policy=no-user-gesture-required` */
  extraArgs?: readonly string[];
}

export async function launchChromium({ extraArgs = [] }: ChromiumOptions = {}): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
      `--host-resolver-rules=MAP ${LAN_HOST} 127.0.0.1`,
      // the test certificate only, by its key: any other certificate error still fails
      `--ignore-certificate-errors-spki-list=${testCertificate().spki}`,
      ...extraArgs,
    ],
  });
}

export interface PageWatch {
  /** uncaught errors, console errors (a CSP refusal is one), failed requests and server errors, as they happen */
  problems: string[];
  /** the URLs of the WebSockets the page opened */
  websockets: string[];
}

/**
 * Watches a page for what a user would see as broken. A response with a 4xx status is an answer,
 * not a failure (a wrong password, a display token that may not change anything): Chromium's
 * "Failed to load resource: the server responded with a status of 4xx" is left out, a 5xx counted.
 * A request cut short because the test moved on to the next page (net::ERR_ABORTED) is no failure
 * either; a request refused by the CSP or by mixed-content blocking also logs a console error.
 */
export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { problems: [], websockets: [] };
  page.on('pageerror', (e) => watch.problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/the server responded with a status of 4\d\d/.test(m.text())) watch.problems.push(`console: ${m.text()}`);
  });
  page.on('requestfailed', (r) => {
    const error = r.failure()?.errorText ?? '';
    if (error !== 'net::ERR_ABORTED') watch.problems.push(`request failed: ${r.method()} ${r.url()}: ${error}`);
  });
  page.on('response', (r) => r.status() >= 500 && watch.problems.push(`server error: ${r.status()} ${r.request().method()} ${r.url()}`));
  page.on('websocket', (ws) => watch.websockets.push(ws.url()));
  return watch;
}
