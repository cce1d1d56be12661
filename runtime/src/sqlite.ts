/**
 * The embedded database file (CAMPUS_DATA_DIR/campus.db) and how its tables are owned. Several
 * packages keep tables in the one file (the store its readings, repairs its tickets, detection its
 * learned state, the report the office's competitions); each owns its tables and brings its own
 * numbered migrations (a `Schema`), applied by `migrate()` and recorded per owner in
 * `schema_versions`, so that no package defines or edits another's table.
 *
 * WAL mode lets the dashboard read while ingest writes; synchronous=FULL makes a committed batch
 * survive a power cut.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CampusError } from './errors.ts';

export type Db = Database.Database;

export function dbPath(dataDir: string): string {
  return join(dataDir, 'campus.db');
}

/** Opens (and creates, unless read-only) a database file; migrations are each owner's (`migrate`). */
export function openDb(file: string, options: { readonly?: boolean } = {}): Db {
  let db: Db;
  try {
    if (!options.readonly) mkdirSync(dirname(file), { recursive: true });
    db = new Database(file, { readonly: options.readonly ?? false, fileMustExist: options.readonly ?? false });
  } catch (err) {
    throw new CampusError('CAMPUS_ERR_STORE', `[sqlite] cannot open ${file}`, { cause: err });
  }
  db.pragma('busy_timeout = 5000');
  if (options.readonly) return db;
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  return db;
}

/** The tables one package owns in a database file. */
export interface Schema {
  /** the owning package, e.g. 'store' */
  owner: string;
  /** numbered from 1: never edit one that has shipped, add the next */
  migrations: readonly string[];
  /**
   * Files written before tables had owners numbered all migrations in one list (PRAGMA
   * user_version 1–6): how many of this owner's migrations such a file already has.
   */
  fromSharedVersion?: (userVersion: number) => number;
}

/** Written to user_version once owners keep their own versions: the program of before refuses the file instead of re-creating tables. */
const OWNED_VERSIONS = 1000;
/** the row that keeps a file's shared migration number of before */
const SHARED_LIST = '(one list)';

/** Brings `schema`'s tables up to date (a no-op on a read-only connection). */
export function migrate(db: Db, schema: Schema): void {
  if (db.readonly) return;
  db.transaction(() => {
    db.exec('CREATE TABLE IF NOT EXISTS schema_versions (owner TEXT PRIMARY KEY, version INTEGER NOT NULL)');
    const version = db.prepare('SELECT version FROM schema_versions WHERE owner = ?');
    // a file of before: its shared number is kept once, for every owner that migrates later
    const shared = db.pragma('user_version', { simple: true }) as number;
    if (shared > 0 && shared < OWNED_VERSIONS) {
      db.prepare('INSERT OR IGNORE INTO schema_versions (owner, version) VALUES (?, ?)').run(SHARED_LIST, shared);
      db.pragma(`user_version = ${OWNED_VERSIONS}`);
    } else if (shared === 0) db.pragma(`user_version = ${OWNED_VERSIONS}`);
    const own = version.get(schema.owner) as { version: number } | undefined;
    const before = (version.get(SHARED_LIST) as { version: number } | undefined)?.version ?? 0;
    const current = own?.version ?? (before > 0 ? (schema.fromSharedVersion?.(before) ?? 0) : 0);
    if (current > schema.migrations.length) {
      throw new CampusError(
        'CAMPUS_ERR_STORE',
        `[sqlite] the ${schema.owner} tables of ${db.name} are at version ${current}, newer than this program (${schema.migrations.length}); upgrade the program`,
      );
    }
    for (let v = current; v < schema.migrations.length; v++) db.exec(schema.migrations[v]!);
    db.prepare('INSERT INTO schema_versions (owner, version) VALUES (?, ?) ON CONFLICT (owner) DO UPDATE SET version = excluded.version').run(
      schema.owner,
      schema.migrations.length,
    );
  })();
}

export function hasTable(db: Db, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/** The version each owner's tables are at, for `campus` diagnostics and tests. */
export function schemaVersions(db: Db): Record<string, number> {
  if (!hasTable(db, 'schema_versions')) return {};
  const rows = db.prepare('SELECT owner, version FROM schema_versions').all() as { owner: string; version: number }[];
  return Object.fromEntries(rows.filter((r) => r.owner !== SHARED_LIST).map((r) => [r.owner, r.version]));
}
