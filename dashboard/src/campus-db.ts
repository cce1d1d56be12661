/**
 * The one connection to campus.db that the dashboard's routes share: the one the composition root
 * hands over (`deps.db`), else one opened on `deps.dataDir` at first use. The dashboard reads and
 * writes tables only through their owners' classes (the report's CompetitionStore, repairs'
 * tickets), never by SQL of its own.
 */
import { dbPath, openDb, type Db } from '@campus/runtime';
import type { DashboardDeps } from './deps.ts';

const opened = new WeakMap<DashboardDeps, Db>();

export function campusDb(deps: DashboardDeps): Db | undefined {
  const given = deps.db?.();
  if (given) return given;
  const mine = opened.get(deps);
  if (mine?.open) return mine;
  if (!deps.dataDir) return undefined;
  const db = openDb(dbPath(deps.dataDir));
  opened.set(deps, db);
  return db;
}
