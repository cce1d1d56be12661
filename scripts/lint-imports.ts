/**
 * `npm run lint` (part of `npm test`): the imports between the workspaces' TypeScript files.
 * It fails on
 *   cycle            an import cycle between source files, within a package or across packages,
 *                    type-only imports and `export ... from` included;
 *   internals        a package importing another's internals: a relative path that leaves its own
 *                    package folder, or `@campus/x/<subpath>` that x's package.json "exports" does
 *                    not declare (or a `@campus/x` that is no workspace);
 *   undeclared       `@campus/x` imported from a package whose package.json does not list it: in
 *                    "dependencies" for its code, in "dependencies" or "devDependencies" for its
 *                    tests and scripts (files under test/ or scripts/, or named *.test.ts);
 *   package-cycle    a cycle in the graph of the workspaces' "dependencies".
 * The workspaces and their files come from the root package.json's "workspaces" and each
 * workspace's package.json; imports are read with the TypeScript compiler's ts.preProcessFile
 * (import, export ... from, import(), require(), `typeof import()` in types).
 *
 *   node --import tsx scripts/lint-imports.ts [ROOT]      exit 1 and one line per finding
 */
import ts from 'typescript';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Rule = 'cycle' | 'internals' | 'undeclared' | 'package-cycle';

export interface Finding {
  rule: Rule;
  /** repository-relative path (with :line) or package name */
  where: string;
  message: string;
}

interface Workspace {
  dir: string;
  folder: string;
  name: string;
  exports: Record<string, string>;
  dependencies: Set<string>;
  devDependencies: Set<string>;
}

interface Import {
  from: string;
  specifier: string;
  line: number;
}

const SOURCE = /\.(ts|tsx|mts|cts)$/;
const SKIP_DIRS = new Set(['node_modules', 'dist', 'coverage']);

function readJson(file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

function keys(value: unknown): Set<string> {
  return new Set(value && typeof value === 'object' ? Object.keys(value) : []);
}

/** package.json "exports" as subpath -> file (a string or a `{ import | default }` condition object). */
function exportMap(value: unknown): Record<string, string> {
  if (typeof value === 'string') return { '.': value };
  const map: Record<string, string> = {};
  if (!value || typeof value !== 'object') return map;
  for (const [key, target] of Object.entries(value)) {
    if (typeof target === 'string') map[key] = target;
    else if (target && typeof target === 'object') {
      const t = target as Record<string, unknown>;
      const file = t.types ?? t.import ?? t.default ?? t.node;
      if (typeof file === 'string') map[key] = file;
    }
  }
  return map;
}

export function readWorkspaces(root: string): Workspace[] {
  const folders = (readJson(join(root, 'package.json')).workspaces ?? []) as string[];
  return folders.map((folder) => {
    const dir = resolve(root, folder);
    const pkg = readJson(join(dir, 'package.json'));
    return {
      dir,
      folder,
      name: String(pkg.name),
      exports: exportMap(pkg.exports),
      dependencies: keys(pkg.dependencies),
      devDependencies: keys(pkg.devDependencies),
    };
  });
}

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) sourceFiles(path, out);
    } else if (SOURCE.test(entry.name)) out.push(path);
  }
  return out;
}

/** A test or a script of its package (may use devDependencies), as opposed to its code. */
export function isDevFile(ws: Workspace, file: string): boolean {
  const parts = relative(ws.dir, file).split(sep);
  return parts.includes('test') || parts.includes('scripts') || /\.test\.[cm]?tsx?$/.test(file);
}

function readImports(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const info = ts.preProcessFile(text, true, true);
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  const lineOf = (pos: number) => {
    let lo = 0;
    while (lo + 1 < starts.length && starts[lo + 1]! <= pos) lo++;
    return lo + 1;
  };
  return info.importedFiles.map((f) => ({ from: file, specifier: f.fileName, line: lineOf(f.pos) }));
}

/** The file a relative import or an export target names: as written, `.js` for `.ts`, or an index. */
function resolveFile(base: string): string | undefined {
  const candidates = [base, base.replace(/\.(m|c)?js$/, '.$1ts'), `${base}.ts`, join(base, 'index.ts')];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** `@campus/x/sub` -> ['@campus/x', './sub']; `@campus/x` -> ['@campus/x', '.'] */
function splitPackage(specifier: string): [string, string] {
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const rest = parts.slice(specifier.startsWith('@') ? 2 : 1).join('/');
  return [name, rest ? `./${rest}` : '.'];
}

/** The file an exports key names for `subpath`, with `*` patterns. */
function exportTarget(ws: Workspace, subpath: string): string | undefined {
  const exact = ws.exports[subpath];
  if (exact) return exact;
  for (const [key, target] of Object.entries(ws.exports)) {
    const star = key.indexOf('*');
    if (star < 0) continue;
    const [pre, post] = [key.slice(0, star), key.slice(star + 1)];
    if (subpath.startsWith(pre) && subpath.endsWith(post) && subpath.length >= key.length - 1) {
      return target.replace('*', subpath.slice(pre.length, subpath.length - post.length));
    }
  }
  return undefined;
}

/** Strongly connected components with more than one member, or a member importing itself (Tarjan). */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const idx = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    idx.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!idx.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
    }
    if (low.get(v) === idx.get(v)) {
      const scc: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        scc.push(w);
      } while (w !== v);
      if (scc.length > 1 || graph.get(v)?.has(v)) found.push(scc);
    }
  };
  for (const v of [...graph.keys()].sort()) if (!idx.has(v)) visit(v);
  return found;
}

/** One cycle through the component's first member (sorted), as a path that ends where it starts. */
function cyclePath(graph: Map<string, Set<string>>, scc: string[]): string[] {
  const members = new Set(scc);
  const start = [...scc].sort()[0]!;
  const prev = new Map<string, string>();
  const queue = [start];
  const seen = new Set(queue);
  while (queue.length) {
    const v = queue.shift()!;
    for (const w of [...(graph.get(v) ?? [])].sort()) {
      if (!members.has(w)) continue;
      if (w === start) {
        const path = [v];
        while (path[0] !== start) path.unshift(prev.get(path[0]!)!);
        return [...path, start];
      }
      if (!seen.has(w)) {
        seen.add(w);
        prev.set(w, v);
        queue.push(w);
      }
    }
  }
  return [start, start];
}

export function lintImports(root: string): Finding[] {
  root = resolve(root);
  const rel = (file: string) => relative(root, file).split(sep).join('/');
  const workspaces = readWorkspaces(root);
  const byName = new Map(workspaces.map((ws) => [ws.name, ws]));
  const findings: Finding[] = [];
  const fileGraph = new Map<string, Set<string>>();
  const edge = (a: string, b: string) => fileGraph.get(a)!.add(b);

  const owned: Array<[Workspace, string]> = workspaces.flatMap((ws) => sourceFiles(ws.dir).map((f) => [ws, f] as [Workspace, string]));
  for (const [, file] of owned) fileGraph.set(file, new Set());
  const ownerOf = (file: string) => workspaces.filter((ws) => file.startsWith(ws.dir + sep)).sort((a, b) => b.dir.length - a.dir.length)[0];

  for (const [ws, file] of owned) {
    const dev = isDevFile(ws, file);
    for (const imp of readImports(file)) {
      const at = `${rel(file)}:${imp.line}`;
      if (imp.specifier.startsWith('.')) {
        const target = resolve(dirname(file), imp.specifier);
        if (ownerOf(target) !== ws) {
          findings.push({ rule: 'internals', where: at, message: `'${imp.specifier}' leaves ${ws.folder}/ (import another package by its name and exports)` });
        }
        const resolved = resolveFile(target);
        if (resolved && fileGraph.has(resolved)) edge(file, resolved);
        continue;
      }
      const [name, subpath] = splitPackage(imp.specifier);
      const target = byName.get(name);
      if (!target) {
        if (name.startsWith('@campus/')) findings.push({ rule: 'internals', where: at, message: `'${imp.specifier}': no workspace is named ${name}` });
        continue;
      }
      if (target !== ws) {
        const listed = ws.dependencies.has(name) || (dev && ws.devDependencies.has(name));
        if (!listed) {
          const where = dev ? '"dependencies" or "devDependencies"' : '"dependencies"';
          findings.push({ rule: 'undeclared', where: at, message: `imports ${name}, which ${ws.folder}/package.json does not list in ${where}` });
        }
      }
      const exported = exportTarget(target, subpath);
      if (!exported) {
        findings.push({ rule: 'internals', where: at, message: `'${imp.specifier}': ${target.folder}/package.json "exports" does not declare '${subpath}'` });
        continue;
      }
      const resolved = resolveFile(resolve(target.dir, exported));
      if (resolved && fileGraph.has(resolved)) edge(file, resolved);
    }
  }

  for (const scc of cycles(fileGraph)) {
    const path = cyclePath(fileGraph, scc);
    const others = scc
      .filter((f) => !path.includes(f))
      .map(rel)
      .sort();
    const rest = others.length ? ` (and through ${others.join(', ')})` : '';
    findings.push({ rule: 'cycle', where: rel(path[0]!), message: `import cycle: ${path.map(rel).join(' -> ')}${rest}` });
  }

  const packageGraph = new Map(workspaces.map((ws) => [ws.name, new Set([...ws.dependencies].filter((d) => byName.has(d)))]));
  for (const scc of cycles(packageGraph)) {
    findings.push({ rule: 'package-cycle', where: scc.sort()[0]!, message: `"dependencies" cycle: ${cyclePath(packageGraph, scc).join(' -> ')}` });
  }
  return findings;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = process.argv[2] ?? fileURLToPath(new URL('..', import.meta.url));
  const findings = lintImports(root);
  for (const f of findings) console.log(`${f.rule}: ${f.where}: ${f.message}`);
  const files = readWorkspaces(root).reduce((n, ws) => n + sourceFiles(ws.dir).length, 0);
  console.log(`lint-imports: ${findings.length} finding(s) in ${files} files of ${readWorkspaces(root).length} workspaces`);
  process.exitCode = findings.length ? 1 : 0;
}
