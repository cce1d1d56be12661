/**
 * scripts/lint-imports.ts on small workspace trees written to a temp dir (one per rule, each shown
 * failing, and a clean one shown passing), then on the repository itself.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { REPO_ROOT, tempDir } from '@campus/testkit';
import { lintImports, type Finding } from '../lint-imports.ts';

interface FixturePackage {
  dependencies?: string[];
  devDependencies?: string[];
  exports?: Record<string, string>;
  /** path in the package -> source text */
  files: Record<string, string>;
}

const removers: Array<() => void> = [];
afterEach(() => removers.splice(0).forEach((remove) => remove()));

/** A root package.json with these workspaces (folder = name without @campus/), and their files. */
function fixture(packages: Record<string, FixturePackage>): string {
  const dir = tempDir('lint-imports-');
  removers.push(() => dir.remove());
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(dir.path, path)), { recursive: true });
    writeFileSync(join(dir.path, path), text);
  };
  const versions = (names: string[] = []) => Object.fromEntries(names.map((n) => [`@campus/${n}`, '0.1.0']));
  write('package.json', JSON.stringify({ name: 'root', private: true, workspaces: Object.keys(packages) }));
  for (const [name, pkg] of Object.entries(packages)) {
    write(
      `${name}/package.json`,
      JSON.stringify({
        name: `@campus/${name}`,
        exports: pkg.exports ?? { '.': './src/index.ts' },
        dependencies: versions(pkg.dependencies),
        devDependencies: versions(pkg.devDependencies),
      }),
    );
    for (const [path, text] of Object.entries(pkg.files)) write(`${name}/${path}`, text);
  }
  return dir.path;
}

const rules = (findings: Finding[]) => findings.map((f) => f.rule);

describe('lint-imports on fixture trees', () => {
  it('passes a clean tree: exported entries, declared dependencies, a test using a devDependency', () => {
    const root = fixture({
      a: { files: { 'src/index.ts': "export * from './x.ts';\n", 'src/x.ts': 'export const x = 1;\n' } },
      b: {
        dependencies: ['a'],
        devDependencies: ['c'],
        files: {
          'src/index.ts': "import { x } from '@campus/a';\nexport const y = x;\n",
          'test/b.test.ts': "import '@campus/c';\nimport '../src/index.ts';\n",
        },
      },
      c: { exports: { '.': './src/index.ts', './extra': './src/extra.ts' }, files: { 'src/index.ts': '', 'src/extra.ts': '' } },
    });
    expect(lintImports(root)).toEqual([]);
  });

  it('cycle: within a package, through a type-only import', () => {
    const root = fixture({
      a: {
        files: {
          'src/index.ts': "export * from './x.ts';\n",
          'src/x.ts': "import type { Y } from './y.ts';\nexport type X = Y[];\n",
          'src/y.ts': "import { z } from './z.js';\nexport type Y = typeof z;\n",
          'src/z.ts': "export type { X } from './x.ts';\nexport const z = 1;\n",
        },
      },
    });
    const findings = lintImports(root);
    expect(rules(findings)).toEqual(['cycle']);
    expect(findings[0]!.message).toBe('import cycle: a/src/x.ts -> a/src/y.ts -> a/src/z.ts -> a/src/x.ts');
  });

  it('cycle: across packages, through an exported entry, with no cycle in the declared dependencies', () => {
    const root = fixture({
      a: {
        devDependencies: ['b'],
        exports: { '.': './src/index.ts', './kit': './test/kit.ts' },
        files: { 'src/index.ts': '', 'test/kit.ts': "import { b } from '@campus/b';\nexport const kit = b;\n" },
      },
      b: { dependencies: ['a'], files: { 'src/index.ts': "export const b = async () => import('@campus/a/kit');\n" } },
    });
    const findings = lintImports(root);
    expect(rules(findings)).toEqual(['cycle']);
    expect(findings[0]!.message).toBe('import cycle: a/test/kit.ts -> b/src/index.ts -> a/test/kit.ts');
  });

  it('internals: a relative path out of the package, and a subpath that exports does not declare', () => {
    const root = fixture({
      a: { exports: { '.': './src/index.ts', './public/*': './src/public/*.ts' }, files: { 'src/index.ts': '', 'src/hidden.ts': '', 'src/public/p.ts': '' } },
      b: {
        dependencies: ['a'],
        files: {
          'src/index.ts': "import '../../a/src/hidden.ts';\nimport '@campus/a/hidden';\nimport '@campus/a/public/p';\nimport '@campus/nowhere';\n",
        },
      },
    });
    const findings = lintImports(root);
    expect(findings.map((f) => `${f.rule} ${f.where}`)).toEqual(['internals b/src/index.ts:1', 'internals b/src/index.ts:2', 'internals b/src/index.ts:4']);
    expect(findings[1]!.message).toContain(`does not declare './hidden'`);
  });

  it('undeclared: code importing a devDependency or an unlisted package, a test an unlisted one', () => {
    const root = fixture({
      a: { files: { 'src/index.ts': '' } },
      b: {
        devDependencies: ['a'],
        files: {
          'src/index.ts': "export type { A } from '@campus/a';\n",
          'test/fixture.ts': "import '@campus/c';\n",
          'src/ok.test.ts': "import '@campus/a';\n",
        },
      },
      c: { files: { 'src/index.ts': '' } },
    });
    const findings = lintImports(root);
    expect(findings.map((f) => `${f.rule} ${f.where}`)).toEqual(['undeclared b/src/index.ts:1', 'undeclared b/test/fixture.ts:1']);
  });

  it('package-cycle: a cycle in the workspaces\' "dependencies", though no file imports along it', () => {
    const root = fixture({
      a: { dependencies: ['b'], files: { 'src/index.ts': '' } },
      b: { dependencies: ['c'], files: { 'src/index.ts': '' } },
      c: { dependencies: ['a'], files: { 'src/index.ts': '' } },
    });
    const findings = lintImports(root);
    expect(rules(findings)).toEqual(['package-cycle']);
    expect(findings[0]!.message).toBe('"dependencies" cycle: @campus/a -> @campus/b -> @campus/c -> @campus/a');
  });
});

describe('lint-imports on the repository', () => {
  it('finds no import cycle, no internals, no undeclared package and no package cycle', () => {
    const findings = lintImports(REPO_ROOT);
    expect(findings.map((f) => `${f.rule}: ${f.where}: ${f.message}`)).toEqual([]);
  });

  it('npm run lint exits 1 with one line per finding on a broken tree', () => {
    const root = fixture({ a: { files: { 'src/index.ts': "import './index.ts';\n" } } });
    let status = 0;
    let out = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'scripts/lint-imports.ts'), root], { encoding: 'utf8', stdio: 'pipe' });
    } catch (err) {
      status = (err as { status: number }).status;
      out = (err as { stdout: string }).stdout;
    }
    expect(status).toBe(1);
    expect(out).toMatch(/^cycle: a\/src\/index\.ts: import cycle: a\/src\/index\.ts -> a\/src\/index\.ts$/m);
  });
});
