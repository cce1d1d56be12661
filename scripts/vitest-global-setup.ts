/**
 * Once per test run, before any test file: the pages' scripts are built from dashboard/web
 * (dashboard/scripts/build-web.ts), so the page tests and every dashboard a test starts serve
 * the code of this working tree, not a bundle left from an earlier build.
 */
import { buildWeb } from '../dashboard/scripts/build-web.ts';

export default async function setup(): Promise<void> {
  await buildWeb();
}
