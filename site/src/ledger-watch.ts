/**
 * Devices added to the campus file while the system runs (adopted on /devices, or typed in by
 * the office) join without a restart: each process watches the file, re-reads and validates it,
 * and adds the new devices to its live campus. Any other change (a removed device, a new
 * building, another calendar) is logged and waits for a restart; an invalid file is logged and
 * ignored, so a half-saved edit never takes anything down.
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import { loadCampus, type Campus } from './load.ts';

export interface LedgerLog {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

/** Re-reads the file now: adds new devices; returns their ids. */
export function refreshLedger(campus: Campus, log: LedgerLog): string[] {
  let fresh: Campus;
  try {
    fresh = loadCampus(campus.file);
  } catch (err) {
    log.warn(`kept the running ledger: ${(err as Error).message}`);
    return [];
  }
  if (fresh.site.id !== campus.site.id) {
    log.warn(`${campus.file} now describes site ${fresh.site.id}; restart to switch sites`);
    return [];
  }
  const added = fresh.devices.filter((d) => !campus.device(d.id));
  for (const d of added) campus.addDevice(d);
  const removed = campus.devices.filter((d) => !fresh.device(d.id));
  if (removed.length) log.warn(`devices removed from ${basename(campus.file)} stay until a restart: ${removed.map((d) => d.id).join(', ')}`);
  if (added.length) log.info(`added to the ledger: ${added.map((d) => `${d.id} (${d.name})`).join(', ')}`);
  return added.map((d) => d.id);
}

/** Watches the campus file's directory (editors replace files) and refreshes on change. */
export function watchLedger(campus: Campus, log: LedgerLog): { close(): void } {
  if (!campus.file || campus.file === '(inline)') return { close() {} };
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  try {
    watcher = watch(dirname(campus.file), (_event, name) => {
      if (name !== basename(campus.file)) return;
      clearTimeout(timer);
      timer = setTimeout(() => refreshLedger(campus, log), 300);
    });
    watcher.unref();
  } catch (err) {
    log.warn(`cannot watch ${campus.file} (${(err as Error).message}); new devices need a restart`);
  }
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
    },
  };
}
