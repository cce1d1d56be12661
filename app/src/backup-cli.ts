/**
 * `npm run campus -- backup <dir> [--keep 14]`: a consistent copy of what a school cannot lose,
 * taken while the system runs:
 *   campus.db          SQLite's online backup API (a consistent snapshot, writers keep writing):
 *                      readings and rollups (unless InfluxDB holds them), tickets, detector state
 *   secrets/           device hashes, staff accounts, display tokens, keys (mode 0700 kept)
 *   photos/            the photos of repair requests (files written once, never changed)
 *   campus.yaml        the campus file in use
 *   MANIFEST.txt       sha256 and size of every file
 * into <dir>/campus-YYYYMMDD-HHMMSS/, then removes all but the newest `--keep` backups there.
 * The spool is not copied: it drains into the database within seconds of the database answering.
 * InfluxDB is backed up with its own tool (`influxd backup -portable`).
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { dbPath } from '@campus/runtime';
import { CampusError, secretsDir, type Knobs } from '@campus/runtime';

export const BACKUP_USAGE = '  npm run campus -- backup <dir> [--keep 14]';

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

export interface BackupResult {
  dir: string;
  files: { path: string; bytes: number; sha256: string }[];
  removed: string[];
}

export async function backup(knobs: Pick<Knobs, 'dataDir' | 'campusConfig'>, target: string, keep = 14, now = new Date()): Promise<BackupResult> {
  if (!Number.isInteger(keep) || keep < 1) throw new CampusError('CAMPUS_ERR_KNOB', `--keep must be a whole number of backups >= 1 (got ${keep})`);
  const db = dbPath(knobs.dataDir);
  if (!existsSync(db)) throw new CampusError('CAMPUS_ERR_STORE', `no database at ${db}: is CAMPUS_DATA_DIR right?`);
  mkdirSync(target, { recursive: true, mode: 0o700 });
  const dir = join(target, `campus-${stamp(now)}`);
  mkdirSync(dir, { mode: 0o700 });
  const source = new Database(db, { readonly: true, fileMustExist: true });
  try {
    await source.backup(join(dir, 'campus.db'));
  } finally {
    source.close();
  }
  const secrets = secretsDir(knobs.dataDir);
  if (existsSync(secrets)) {
    cpSync(secrets, join(dir, 'secrets'), { recursive: true, preserveTimestamps: true });
    chmodSync(join(dir, 'secrets'), 0o700);
  }
  const photos = join(knobs.dataDir, 'photos');
  if (existsSync(photos)) cpSync(photos, join(dir, 'photos'), { recursive: true, preserveTimestamps: true });
  if (existsSync(knobs.campusConfig)) copyFileSync(knobs.campusConfig, join(dir, basename(knobs.campusConfig)));
  const files = filesUnder(dir).map((f) => ({
    path: relative(dir, f),
    bytes: statSync(f).size,
    sha256: createHash('sha256').update(readFileSync(f)).digest('hex'),
  }));
  writeFileSync(join(dir, 'MANIFEST.txt'), files.map((f) => `${f.sha256}  ${f.bytes}  ${f.path}`).join('\n') + '\n', { mode: 0o600 });
  // rotation: only our own backup directories, newest first by name (the stamp sorts)
  const ours = readdirSync(target)
    .filter((n) => /^campus-\d{8}-\d{6}$/.test(n))
    .sort()
    .reverse();
  const removed = ours.slice(keep);
  for (const n of removed) rmSync(join(target, n), { recursive: true, force: true });
  return { dir, files, removed };
}

export async function backupCommand(args: string[], knobs: Knobs): Promise<void> {
  const target = args[0];
  if (!target || target.startsWith('--')) throw new CampusError('CAMPUS_ERR_KNOB', `usage:\n${BACKUP_USAGE}`);
  const keep = args.includes('--keep') ? Number(args[args.indexOf('--keep') + 1]) : 14;
  const r = await backup(knobs, target, keep);
  const total = r.files.reduce((n, f) => n + f.bytes, 0);
  console.log(`backup written to ${r.dir}: ${r.files.length} files, ${(total / 1e6).toFixed(1)} MB (MANIFEST.txt has their sha256)`);
  if (r.removed.length) console.log(`removed ${r.removed.length} older backup${r.removed.length === 1 ? '' : 's'} (keeping ${keep}): ${r.removed.join(', ')}`);
}
