/**
 * The deploy files, checked as far as this machine allows: Docker cannot run here, so the
 * Dockerfile and compose file are parsed and every path they reference must exist; the systemd
 * units go through `systemd-analyze verify` and the scripts through `bash -n` (deploy/check.sh).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { readKnobs } from '@campus/runtime';
import { REPO_ROOT } from '@campus/testkit';

const deploy = join(REPO_ROOT, 'deploy');

describe('deploy files', () => {
  it('deploy/check.sh passes: units verified, scripts parse, campus.env accepted', () => {
    const out = execFileSync('bash', [join(deploy, 'check.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toMatch(/systemd units: (ok|not checked)/);
    expect(out).toMatch(/campus\.env: ok/);
  });

  it('the Dockerfile copies only paths that exist and runs the entry point that exists', () => {
    const lines = readFileSync(join(deploy, 'Dockerfile'), 'utf8').split('\n');
    const copies = lines.filter((l) => l.startsWith('COPY '));
    expect(copies.length).toBeGreaterThan(5);
    for (const line of copies) {
      const parts = line.trim().split(/\s+/).slice(1, -1); // sources (the last word is the destination)
      for (const src of parts) expect({ src, exists: existsSync(join(REPO_ROOT, src)) }).toEqual({ src, exists: true });
    }
    // every workspace the runtime imports is copied (its package.json and its code)
    const workspaces = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).workspaces as string[];
    for (const ws of workspaces) expect(copies.some((l) => l.includes(`${ws}/package.json`))).toBe(true);
    const cmd = lines.find((l) => l.startsWith('CMD '))!;
    const entry = (JSON.parse(cmd.slice(4)) as string[]).find((a) => a.endsWith('.ts'))!;
    expect(existsSync(join(REPO_ROOT, entry))).toBe(true);
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
