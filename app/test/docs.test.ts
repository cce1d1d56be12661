/**
 * The documentation holds together: every relative link and image in README.md and docs/**.md
 * reaches a file (and its #anchor a heading of that file), and no file of the repository names a
 * design note that is not in it, or a repository path (a package's src/ or test/ file) that does not exist.
 * The checks are plain functions, first run on a small tree made to fail, then on the repository.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { REPO_ROOT, tempDir } from '@campus/testkit';

/** Text with fenced code blocks blanked (lines kept, so line numbers stay) and inline code removed. */
function prose(text: string): string[] {
  let fence: string | null = null;
  return text.split('\n').map((line) => {
    const m = /^\s*(```+|~~~+)/.exec(line);
    if (m) {
      if (fence === null) fence = m[1]![0]!;
      else if (m[1]![0] === fence) fence = null;
      return '';
    }
    return fence === null ? line.replace(/`+[^`]*`+/g, '') : '';
  });
}

/** GitHub's heading anchor: lower case, punctuation and symbols dropped, spaces to hyphens. */
export function slug(heading: string): string {
  const text = heading
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link in a heading: its text
    .replace(/<[^>]+>/g, '')
    .trim()
    .toLowerCase();
  return text.replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '').replace(/ /g, '-');
}

/** Every anchor a Markdown file offers: its headings' slugs (repeats get -1, -2, …) and <a id>. */
export function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  let fence: string | null = null;
  for (const line of text.split('\n')) {
    const f = /^\s*(```+|~~~+)/.exec(line);
    if (f) {
      if (fence === null) fence = f[1]![0]!;
      else if (f[1]![0] === fence) fence = null;
      continue;
    }
    if (fence !== null) continue;
    const h = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (h) {
      const base = slug(h[1]!);
      const n = seen.get(base) ?? 0;
      seen.set(base, n + 1);
      out.add(n === 0 ? base : `${base}-${n}`);
    }
    for (const a of line.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) out.add(a[1]!);
  }
  return out;
}

/** The relative links and images of a Markdown text, with their line numbers. */
export function links(text: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  prose(text).forEach((line, i) => {
    for (const m of line.matchAll(/!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      out.push({ target, line: i + 1 });
    }
  });
  return out;
}

/** Links in these Markdown files (paths relative to root) that reach no file or no heading. */
export function brokenLinks(root: string, files: string[]): string[] {
  const broken: string[] = [];
  const anchorCache = new Map<string, Set<string>>();
  const anchorsOf = (abs: string) => {
    if (!anchorCache.has(abs)) anchorCache.set(abs, anchors(readFileSync(abs, 'utf8')));
    return anchorCache.get(abs)!;
  };
  for (const file of files) {
    const abs = join(root, file);
    for (const { target, line } of links(readFileSync(abs, 'utf8'))) {
      const [pathPart, hash] = target.split('#', 2) as [string, string | undefined];
      const path = decodeURIComponent(pathPart);
      const dest = path === '' ? abs : path.startsWith('/') ? join(root, path) : resolve(dirname(abs), path);
      const where = `${file}:${line}: ${target}`;
      if (!existsSync(dest)) {
        broken.push(`${where} (no such file)`);
        continue;
      }
      if (hash !== undefined && hash !== '') {
        if (!dest.endsWith('.md') || statSync(dest).isDirectory()) broken.push(`${where} (an anchor into a file that is not Markdown)`);
        else if (!anchorsOf(dest).has(decodeURIComponent(hash))) broken.push(`${where} (no heading #${hash} in ${relative(root, dest)})`);
      }
    }
  }
  return broken;
}

/** The design notes the project grew from; they are not in the repository, so nothing may cite them. */
const DESIGN_NOTE = /\b(?:SPEC|DOMAIN|FACTS|STYLE)\.md\b/;

/** Files naming a design note that is not in the repository. */
export function designNoteMentions(root: string, files: string[]): string[] {
  const found: string[] = [];
  for (const file of files) {
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        const m = DESIGN_NOTE.exec(line);
        if (m) found.push(`${file}:${i + 1}: ${m[0]}`);
      });
  }
  return found;
}

/**
 * Repository paths named in text that do not exist. A path counts when it starts at a top-level
 * folder of the repository (not after another path character, so `@campus/store/x`, `../src/x.ts`
 * and `/opt/campus/deploy/x.sh` do not) and either ends in a file extension or goes on into one of
 * a package's own folders (`<package>/src/…/`); `broker/ingest` in a sentence is not a path, and a
 * Markdown link's target is the link check's (it is relative to its page).
 */
export function missingPaths(root: string, files: string[], topLevel: string[]): string[] {
  const dirs = topLevel.map((d) => d.replace(/[.]/g, '\\.')).join('|');
  const mention = new RegExp(`(?<![\\w./@~$-])(?:${dirs})/[\\w./@-]*`, 'g');
  const inner = /^[^/]+\/(?:src|test|public|web|demo|systemd|scripts|fixtures|static|pages|screenshots|operating|contract|developing)(?:\/|$)/;
  const missing: string[] = [];
  for (const file of files) {
    readFileSync(join(root, file), 'utf8')
      .split('\n')
      .forEach((line, i) => {
        for (const m of line.matchAll(mention)) {
          if (/[*{<$[]/.test(line[m.index + m[0].length] ?? '')) continue; // a pattern: `test/security-*.ts`
          if (file.endsWith('.md') && line.slice(0, m.index).endsWith('](')) continue;
          const path = m[0].replace(/[.:-]+$/, '');
          const hasExtension = /\.[a-z]{1,8}$/i.test(path);
          if (!hasExtension && !inner.test(path)) continue;
          if (!existsSync(join(root, path))) missing.push(`${file}:${i + 1}: ${path}`);
        }
      });
  }
  return missing;
}

/** The repository's text files: tracked and new ones, without what .gitignore keeps out. */
function repositoryFiles(root: string): string[] {
  let list: string[];
  try {
    list = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8', maxBuffer: 64 << 20 })
      .split('\n')
      .filter(Boolean);
  } catch {
    list = walk(root, root);
  }
  return list.filter((f) => {
    if (f.split('/').includes('node_modules') || f === 'package-lock.json') return false;
    const abs = join(root, f);
    if (!existsSync(abs) || !statSync(abs).isFile() || statSync(abs).size > 4 << 20) return false;
    return !readFileSync(abs).subarray(0, 8000).includes(0); // binary: screenshots, fonts
  });
}

function walk(root: string, dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === '.git' || e.name === 'node_modules' || e.name === 'data' || e.name === 'tmp') return [];
    const abs = join(dir, e.name);
    return e.isDirectory() ? walk(root, abs) : [relative(root, abs)];
  });
}

function topLevelFolders(root: string): string[] {
  const workspaces = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { workspaces: string[] }).workspaces;
  return [...new Set([...workspaces, 'deploy', 'scripts', 'docs', '.ci'])];
}

const markdown = (files: string[]) => files.filter((f) => f === 'README.md' || (f.startsWith('docs/') && f.endsWith('.md')));

describe('the documentation checks can fail', () => {
  const write = (root: string, file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };

  it('finds a link to a missing file, a missing anchor and a missing image; passes good ones', () => {
    const dir = tempDir('docs-check-');
    write(dir.path, 'README.md', '# Top\n\nSee [ops](guide/ops.md#the-spool), [gone](guide/gone.md), ![shot](guide/shot.png).\n');
    write(dir.path, 'guide/ops.md', '# Ops\n\n## The spool\n\nBack to [the top](../README.md#top) and [nowhere](#no-such-heading).\n\n```md\n[in code](not-checked.md)\n```\n');
    const broken = brokenLinks(dir.path, ['README.md', 'guide/ops.md']);
    expect(broken).toEqual([
      'README.md:3: guide/gone.md (no such file)',
      'README.md:3: guide/shot.png (no such file)',
      'guide/ops.md:5: #no-such-heading (no heading #no-such-heading in guide/ops.md)',
    ]);
    dir.remove();
  });

  it('makes anchors as GitHub does: CJK kept, punctuation dropped, repeats numbered', () => {
    expect(slug('Term report (学期后勤工作总结)')).toBe('term-report-学期后勤工作总结');
    expect(slug('Ingest against an external broker (Mosquitto)')).toBe('ingest-against-an-external-broker-mosquitto');
    expect(slug('`CAMPUS_MQTT_PERSISTENCE`, and why')).toBe('campus_mqtt_persistence-and-why');
    expect([...anchors('# A\n## Tests\n## Tests\n```\n# not a heading\n```\n')]).toEqual(['a', 'tests', 'tests-1']);
  });

  it('finds a design note named in a source file and a path that does not exist', () => {
    const dir = tempDir('docs-check-');
    const note = ['SPEC', 'md'].join('.');
    write(dir.path, 'pkg/src/a.ts', `// the knobs (${note} "Knobs")\n// see pkg/src/gone.ts and pkg/src/a.ts\n`);
    write(dir.path, 'lib/x.md', 'the pkg/lib split; `@campus/pkg/src/gone.ts`; ../pkg/src/gone.ts; /opt/pkg/src/gone.ts; pkg/test/*.test.ts\n');
    const files = ['pkg/src/a.ts', 'lib/x.md'];
    expect(designNoteMentions(dir.path, files)).toEqual([`pkg/src/a.ts:1: ${note}`]);
    expect(missingPaths(dir.path, files, ['pkg', 'lib'])).toEqual(['pkg/src/a.ts:2: pkg/src/gone.ts']);
    dir.remove();
  });
});

describe('the repository', () => {
  const files = repositoryFiles(REPO_ROOT);

  it('README.md and docs/ exist, and the README stays short', () => {
    expect(markdown(files)).toContain('README.md');
    expect(markdown(files).filter((f) => f.startsWith('docs/')).length).toBeGreaterThan(5);
    expect(statSync(join(REPO_ROOT, 'README.md')).size).toBeLessThan(12_000);
  });

  it('every relative link and image in README.md and docs/ reaches a file and a heading', () => {
    expect(brokenLinks(REPO_ROOT, markdown(files))).toEqual([]);
  });

  it('no file names a design note that is not in the repository', () => {
    expect(designNoteMentions(REPO_ROOT, files)).toEqual([]);
  });

  it('every repository path named in a file exists', () => {
    expect(missingPaths(REPO_ROOT, files, topLevelFolders(REPO_ROOT))).toEqual([]);
  });
});
