/**
 * Builds the pages' TypeScript (dashboard/web/pages/*.ts) into one browser script per page with
 * esbuild: dashboard/dist/web/<page>.js, served at /static/<page>.js. Run by `npm run build:web`
 * (before `npm start`) and once per test run (scripts/vitest-global-setup.ts).
 *
 * The bundle must not carry Node code: an input outside dashboard/web and the contract, or any
 * Node built-in, fails the build. Files are written under a temporary name and renamed, so a
 * server that serves the folder while another run rebuilds it never sends half a file.
 */
import { mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const DASHBOARD = join(dirname(fileURLToPath(import.meta.url)), '..');
const WEB = join(DASHBOARD, 'web');
const REPO = join(DASHBOARD, '..');
export const WEB_OUT_DIR = join(DASHBOARD, 'dist', 'web');
/** what a page's bundle may be made of, relative to the repository */
const ALLOWED_INPUTS = [`dashboard${sep}web${sep}`, `contract${sep}src${sep}`];

export interface WebBuild {
  outDir: string;
  /** the written files, e.g. overview.js */
  files: string[];
  /** every source file in the bundles, relative to the repository */
  inputs: string[];
}

export async function buildWeb(outDir: string = WEB_OUT_DIR): Promise<WebBuild> {
  const pages = readdirSync(join(WEB, 'pages')).filter((f) => f.endsWith('.ts'));
  const result = await build({
    entryPoints: pages.map((f) => join(WEB, 'pages', f)),
    outdir: outDir,
    bundle: true,
    write: false,
    metafile: true,
    platform: 'browser',
    format: 'iife',
    target: ['chrome100', 'firefox100', 'safari15'],
    sourcemap: 'linked',
    charset: 'utf8',
    logLevel: 'silent',
  });
  const inputs = Object.keys(result.metafile.inputs).map((p) => relative(REPO, join(process.cwd(), p)));
  const foreign = inputs.filter((p) => !ALLOWED_INPUTS.some((a) => p.startsWith(a)));
  if (foreign.length) throw new Error(`the page bundle would carry code from outside dashboard/web and the contract: ${foreign.join(', ')}`);
  mkdirSync(outDir, { recursive: true });
  const files: string[] = [];
  for (const file of result.outputFiles) {
    const temporary = `${file.path}.${process.pid}.tmp`;
    writeFileSync(temporary, file.contents);
    renameSync(temporary, file.path);
    files.push(relative(outDir, file.path));
  }
  return { outDir, files: files.sort(), inputs: inputs.sort() };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const started = Date.now();
  const { outDir, files } = await buildWeb();
  console.log(
    `[build:web] ${files.filter((f) => f.endsWith('.js')).length} page scripts in ${relative(process.cwd(), outDir) || '.'} (${Date.now() - started} ms)`,
  );
}
