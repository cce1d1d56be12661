/**
 * The pages' bundle (dashboard/scripts/build-web.ts): one script per page, made of the web folder
 * and the contract's node-free part only, with no eval (the page CSP has no 'unsafe-eval').
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@campus/testkit';
import { buildWeb } from '../../scripts/build-web.ts';

const PAGES = readdirSync(join(import.meta.dirname, '..', '..', 'web', 'pages'))
  .filter((f) => f.endsWith('.ts'))
  .map((f) => f.slice(0, -3))
  .sort();

describe('the page bundle', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());

  it('has one script per page, built from dashboard/web and the browser part of the contract', async () => {
    const out = await buildWeb(dir.path);
    expect(out.files.filter((f) => f.endsWith('.js'))).toEqual(PAGES.map((p) => `${p}.js`));
    expect(out.inputs.filter((p) => !p.startsWith('dashboard/web/') && !p.startsWith('contract/src/'))).toEqual([]);
    // json.ts (node:buffer), telemetry.ts and the format decoders stay on the server
    expect(out.inputs).toContain('contract/src/labels.ts');
    expect(out.inputs.filter((p) => /contract\/src\/(json|telemetry|external|formats\/)/.test(p))).toEqual([]);
    for (const page of PAGES) {
      const js = readFileSync(join(dir.path, `${page}.js`), 'utf8');
      expect(js).not.toMatch(/\beval\(|new Function\(/);
      expect(js).not.toMatch(/require\(["']node:/);
    }
  });
});
