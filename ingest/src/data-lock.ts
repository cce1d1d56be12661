/**
 * One ingest process per data directory: its disk spool and detector state assume a single writer
 * (spool.ts). `ingest.lock` holds the pid and host of the process reading the directory; a lock
 * left by a process that is gone (killed) is taken over. Ingest workers of one deployment share a
 * host (worker.ts), so the pid says whether the holder is alive.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface LockHolder {
  pid: number;
  host: string;
  who: string;
  since: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory's lock, or returns who holds it (another live process on this host). */
export function lockDataDir(dir: string, who: string): { ok: true; release(): void } | { ok: false; holder: LockHolder } {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'ingest.lock');
  const mine: LockHolder = { pid: process.pid, host: hostname(), who, since: new Date().toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, JSON.stringify(mine) + '\n', { flag: 'wx' });
      return { ok: true, release: () => releaseIfMine(file) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let holder: LockHolder | undefined;
    try {
      holder = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    } catch {
      holder = undefined; // half-written by a process that died: stale
    }
    // this process (several services in one process, as tests run them) or a live process elsewhere
    if (holder && holder.pid === process.pid) return { ok: true, release: () => {} };
    if (holder && (holder.host !== hostname() || alive(holder.pid))) return { ok: false, holder };
    rmSync(file, { force: true });
  }
  throw new Error(`could not take ${file}`);
}

function releaseIfMine(file: string): void {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    if (holder.pid === process.pid) rmSync(file, { force: true });
  } catch {
    // already gone
  }
}
