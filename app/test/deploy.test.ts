/**
 * The deploy files, checked as far as this machine allows: Docker cannot run here, so the
 * Dockerfile and compose file are parsed and every path they reference must exist; the systemd
 * units go through `systemd-analyze verify` and the scripts through `bash -n` (deploy/check.sh).
 * The production install: `npm ci --omit=dev` holds no test tool (read from the installed tree
 * with `npm ls --omit=dev`, no network), and what the units run, the bundles of `npm run build`,
 * imports only packages of that tree, starts, and answers /api/health.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { parse } from 'yaml';
import { readKnobs, SYSTEM_PARTS } from '@campus/runtime';
import { REPO_ROOT, startSystem, tempDir, waitFor } from '@campus/testkit';

const deploy = join(REPO_ROOT, 'deploy');
const read = (path: string) => readFileSync(join(REPO_ROOT, path), 'utf8');
const rootPackage = JSON.parse(read('package.json')) as { workspaces: string[]; devDependencies: Record<string, string> };

/** Test tools that must not reach a school server (and every root devDependency but type packages). */
const TEST_TOOLS = [
  ...new Set([
    'playwright-core',
    'vitest',
    'vite',
    'typescript',
    'prettier',
    'socket.io-client',
    'smtp-server',
    'mailparser',
    ...Object.keys(rootPackage.devDependencies).filter((name) => !name.startsWith('@types/')),
  ]),
];

/** The bundles of `npm run build` (scripts/build.ts), built here into a temp dir below dist/. */
interface Built {
  outdir: string;
  outputs: Record<string, string>;
  externals: string[];
}

describe('deploy files', () => {
  it('deploy/check.sh passes: units verified, scripts parse, campus.env accepted', () => {
    const out = execFileSync('bash', [join(deploy, 'check.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toMatch(/systemd units: (ok|not checked)/);
    expect(out).toMatch(/campus\.env: ok/);
  });

  it('compose.yaml parses, references existing paths, and its environment is accepted', () => {
    const compose = parse(readFileSync(join(deploy, 'compose.yaml'), 'utf8')) as {
      services: Record<string, { build?: { context: string; dockerfile: string }; volumes?: string[]; environment?: Record<string, string>; image?: string }>;
    };
    const campus = compose.services.campus!;
    const context = resolve(deploy, campus.build!.context);
    expect(context).toBe(resolve(REPO_ROOT));
    expect(existsSync(join(context, campus.build!.dockerfile))).toBe(true);
    for (const v of campus.volumes ?? []) {
      const host = v.split(':')[0]!;
      if (host.startsWith('.') || host.startsWith('/')) expect({ host, exists: existsSync(resolve(deploy, host)) }).toEqual({ host, exists: true });
    }
    expect(() => readKnobs(campus.environment ?? {})).not.toThrow();
    expect(campus.environment?.CAMPUS_STORE).toBe('influx');
    expect(compose.services.influxdb?.image).toMatch(/^influxdb:1\./);
  });
});

describe('the production install', () => {
  let built: Built;
  let outRoot: string;

  beforeAll(() => {
    // below the repository, so that the bundles' imports find its node_modules
    mkdirSync(join(REPO_ROOT, 'dist'), { recursive: true });
    outRoot = mkdtempSync(join(REPO_ROOT, 'dist', 'test-'));
    execFileSync(process.execPath, ['--import', 'tsx', 'scripts/build.ts', '--outdir', outRoot], { cwd: REPO_ROOT, stdio: 'pipe' });
    built = JSON.parse(readFileSync(join(outRoot, 'build.json'), 'utf8')) as Built;
  });
  afterAll(() => {
    if (outRoot) rmSync(outRoot, { recursive: true, force: true });
  });

  /** The packages `npm ci --omit=dev` installs: names from `npm ls --omit=dev --all --parseable`. */
  function productionPackages(): Set<string> {
    const ls = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable', '--offline'], { cwd: REPO_ROOT, encoding: 'utf8' });
    const names = ls.stdout
      .split('\n')
      .filter((line) => line.includes(`${sep}node_modules${sep}`))
      .map((line) =>
        line
          .slice(line.lastIndexOf(`node_modules${sep}`) + `node_modules${sep}`.length)
          .split(sep)
          .join('/'),
      );
    return new Set(names);
  }

  it('holds no test tool, and the bundles import only packages it holds', () => {
    const production = productionPackages();
    // what production needs is there (the list is read, not empty)
    for (const name of ['better-sqlite3', 'aedes', 'express', 'esbuild']) expect({ name, installed: production.has(name) }).toEqual({ name, installed: true });
    const tools = [...production].filter((name) => TEST_TOOLS.includes(name) || name.startsWith('@vitest/') || name.startsWith('playwright'));
    expect(tools).toEqual([]);
    expect(built.externals.length).toBeGreaterThan(5);
    const missing = built.externals.filter((name) => !production.has(name));
    expect(missing).toEqual([]);
  });

  it('every part the units and the Dockerfile run is a bundle of npm run build, run without tsx', () => {
    const unit = read('deploy/systemd/campus@.service');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/node --enable-source-maps dist\/app\/main\.js %i$/m);
    const split = /^Wants=(.*)$/m
      .exec(read('deploy/systemd/campus.target'))![1]!
      .split(/\s+/)
      .map((u) => /^campus@(.+)\.service$/.exec(u)![1]!);
    // every part runs the one composition root, named as its argument
    expect(existsSync(built.outputs['app/main'] ?? '')).toBe(true);
    for (const part of split) expect({ part, known: (SYSTEM_PARTS as readonly string[]).includes(part) }).toEqual({ part, known: true });
    expect(read('deploy/backup.sh')).toMatch(/^exec node --enable-source-maps dist\/app\/cli\.js backup /m);
    for (const file of ['deploy/install.sh', 'deploy/backup.sh', 'deploy/Dockerfile', 'deploy/systemd/campus@.service']) {
      expect({ file, tsx: /\btsx\b/.test(read(file)) }).toEqual({ file, tsx: false });
    }
    expect(read('deploy/install.sh')).toMatch(/npm ci --omit=dev .*&& npm run build/);
  });

  it('the Dockerfile copies only paths that exist, every workspace the bundles are made of, and runs a bundle', () => {
    const lines = read('deploy/Dockerfile').split('\n');
    const copies = lines.filter((l) => l.startsWith('COPY '));
    const sources = copies.flatMap((line) => line.trim().split(/\s+/).slice(1, -1)); // the last word is the destination
    expect(sources.length).toBeGreaterThan(5);
    for (const src of sources) expect({ src, exists: existsSync(join(REPO_ROOT, src)) }).toEqual({ src, exists: true });
    // npm ci needs every workspace's package.json; the build every workspace the bundles include
    for (const ws of rootPackage.workspaces) expect({ ws, copied: sources.includes(`${ws}/package.json`) }).toEqual({ ws, copied: true });
    const meta = JSON.parse(readFileSync(join(outRoot, 'meta.json'), 'utf8')) as { inputs: Record<string, unknown> };
    const bundled = new Set(Object.keys(meta.inputs).map((path) => path.split('/')[0]!));
    for (const ws of rootPackage.workspaces.filter((w) => bundled.has(w))) expect({ ws, copied: sources.includes(ws) }).toEqual({ ws, copied: true });
    expect(sources).toContain('scripts');
    expect(lines).toContain('RUN npm run build');
    const cmd = JSON.parse(lines.find((l) => l.startsWith('CMD '))!.slice(4)) as string[];
    const entry = cmd.find((a) => a.startsWith('dist/'))!;
    expect(existsSync(join(built.outdir, relative('dist', entry)))).toBe(true);
  });

  it('the built app starts with node alone, answers /api/health and serves the pages and their scripts; the built CLI finds the demo campus', async () => {
    const data = tempDir('campus-dist-');
    try {
      const check = execFileSync(process.execPath, [built.outputs['app/cli']!, 'check'], {
        cwd: REPO_ROOT,
        env: { ...process.env, CAMPUS_DATA_DIR: data.path },
        encoding: 'utf8',
      });
      expect(check).toMatch(/dongnan\.yaml: OK/);
      const system = await startSystem({ CAMPUS_DATA_DIR: data.path }, { entry: relative(REPO_ROOT, built.outputs['app/main']!) });
      try {
        const health = await waitFor('/api/health to answer 200 ok', async () => {
          const res = await fetch(`${system.apiBase}/api/health`);
          const body = (await res.json()) as { status: string };
          return res.status === 200 && body.status === 'ok' ? body : undefined;
        });
        expect(health.status).toBe('ok');
        // what the dashboard finds beside its source: the pages, the browser bundle, chart.js by require.resolve
        for (const path of ['/login', '/static/login.js', '/static/app.css', '/vendor/chart.js/chart.umd.min.js']) {
          const res = await fetch(`${system.apiBase}${path}`);
          expect({ path, status: res.status }).toEqual({ path, status: 200 });
        }
        expect(system.child.spawnargs).not.toContain('tsx');
      } finally {
        expect(await system.stop()).toBe(0);
      }
    } finally {
      data.remove();
    }
  });
});
