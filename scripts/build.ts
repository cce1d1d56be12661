/**
 * `npm run build` (after `npm run build:web`): every workspace's `src/main.ts` and `src/cli.ts`
 * bundled with esbuild into one JavaScript file each, `dist/<workspace>/<name>.js`, which is what
 * production runs (deploy/systemd, deploy/Dockerfile): `node dist/app/main.js`.
 *
 * - The workspaces' code (`@campus/*`, relative imports) is bundled; every other package stays an
 *   import of node_modules (better-sqlite3 is native; the others are resolved as usual).
 * - `import.meta.url` (and `.dirname`, `.filename`) in a bundled file still names that file's own
 *   place in the tree, so what code finds beside itself (dashboard/public, site/demo, createRequire)
 *   is found from the bundle: each use becomes the source file's URL relative to the bundle.
 * - `dist/meta.json`: esbuild's metafile (every input file of every bundle); `dist/build.json`: the
 *   bundles by entry name and the packages they import from node_modules (app/test/deploy.test.ts).
 *
 *   node --import tsx scripts/build.ts [--outdir DIR]     (default dist/ at the repository root)
 *
 * DIR must lie inside the repository, so that the bundles' imports find its node_modules.
 */
import { build, type Plugin } from 'esbuild';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The entry points: `<workspace>/src/<name>.ts` for these names, in every workspace that has one. */
export const ENTRY_NAMES = ['main', 'cli'] as const;

/** `{ 'app/main': '<root>/app/src/main.ts', ... }` from the root package.json's workspaces. */
export function entryPoints(root = ROOT): Record<string, string> {
  const workspaces = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  const entries: Record<string, string> = {};
  for (const ws of workspaces) {
    for (const name of ENTRY_NAMES) {
      const file = join(root, ws, 'src', `${name}.ts`);
      if (existsSync(file)) entries[`${ws}/${name}`] = file;
    }
  }
  return entries;
}

/** Bare imports other than the workspaces' own (`@campus/...`) stay imports of node_modules. */
const thirdPartyExternal: Plugin = {
  name: 'third-party-external',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('@campus/')) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * `import.meta.url` in a source file -> that file's URL, computed from the bundle's own URL, so the
 * built tree can be moved as a whole. Every bundle lies at the same depth below `outdir`.
 */
function sourceLocations(outdir: string): Plugin {
  return {
    name: 'source-locations',
    setup(b) {
      b.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
        if (args.path.split(sep).includes('node_modules')) return undefined;
        const source = readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta.')) return undefined;
        // the bundles are outdir/<workspace>/<name>.js: one level below outdir
        const rel = relative(join(outdir, 'x'), args.path).split(sep).join('/');
        const url = `new URL(${JSON.stringify(rel)}, import.meta.url).href`;
        const contents = source
          .replace(/\bimport\.meta\.url\b/g, url)
          .replace(/\bimport\.meta\.filename\b/g, `__campusFileURLToPath(${url})`)
          .replace(/\bimport\.meta\.dirname\b/g, `__campusDirname(__campusFileURLToPath(${url}))`);
        const helpers = contents.includes('__campus')
          ? "import { fileURLToPath as __campusFileURLToPath } from 'node:url';\nimport { dirname as __campusDirname } from 'node:path';\n"
          : '';
        return { contents: helpers + contents, loader: args.path.endsWith('ts') ? 'ts' : 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

export interface BuildResult {
  outdir: string;
  /** entry name -> the bundle's path */
  outputs: Record<string, string>;
  /** the packages the bundles import from node_modules (names, without subpaths; node: builtins left out) */
  externals: string[];
}

export async function buildEntries(outdir = join(ROOT, 'dist'), root = ROOT): Promise<BuildResult> {
  outdir = resolve(outdir);
  const entries = entryPoints(root);
  for (const name of Object.keys(entries)) rmSync(join(outdir, dirname(name)), { recursive: true, force: true });
  const result = await build({
    entryPoints: entries,
    outdir,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'linked',
    // class and function names kept (logs and errors show them; two modules' `Store` stay `Store`)
    keepNames: true,
    metafile: true,
    logLevel: 'warning',
    absWorkingDir: root,
    plugins: [thirdPartyExternal, sourceLocations(outdir)],
  });
  writeFileSync(join(outdir, 'meta.json'), JSON.stringify(result.metafile));
  const externals = new Set<string>();
  for (const output of Object.values(result.metafile.outputs)) {
    for (const imp of output.imports) {
      if (!imp.external || imp.path.startsWith('node:')) continue;
      const parts = imp.path.split('/');
      externals.add(imp.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
    }
  }
  const outputs = Object.fromEntries(Object.keys(entries).map((name) => [name, join(outdir, `${name}.js`)]));
  const built: BuildResult = { outdir, outputs, externals: [...externals].sort() };
  writeFileSync(join(outdir, 'build.json'), JSON.stringify(built, null, 2));
  return built;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const i = process.argv.indexOf('--outdir');
  const started = Date.now();
  const result = await buildEntries(i > 0 ? process.argv[i + 1] : undefined);
  const names = Object.keys(result.outputs);
  console.log(`build: ${names.length} entry points into ${relative(ROOT, result.outdir) || '.'}/ in ${Date.now() - started} ms (${names.join(', ')})`);
}
