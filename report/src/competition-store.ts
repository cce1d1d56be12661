/**
 * The saving competitions the office sets up (e.g. "十一月节电月": a name, a resource and a window of
 * dates), in campus.db. The table is the report's own (runtime/src/sqlite.ts says who owns what): the
 * dashboard adds and removes them through this class, the board and the term report score them with
 * competition.ts.
 */
import { hasTable, migrate, type Db, type Schema } from '@campus/runtime';
import type { Resource } from './competition.ts';

export const COMPETITIONS_SCHEMA: Schema = {
  owner: 'report',
  migrations: [
    // 1: competitions the office sets up (a custom window with a name)
    `
    CREATE TABLE competitions (
      id         INTEGER PRIMARY KEY,
      name       TEXT    NOT NULL,
      resource   TEXT    NOT NULL,
      start_date TEXT    NOT NULL,
      end_date   TEXT    NOT NULL,
      created_by TEXT    NOT NULL,
      created_at INTEGER NOT NULL
    );
    `,
  ],
  // the one list of before had the competitions at 3
  fromSharedVersion: (v) => (v >= 3 ? 1 : 0),
};

export interface SavedCompetition {
  id: number;
  name: string;
  resource: Resource;
  /** YYYY-MM-DD, both days included */
  from: string;
  to: string;
  createdBy: string;
}

const COLUMNS = 'id, name, resource, start_date AS "from", end_date AS "to", created_by AS createdBy';

export class CompetitionStore {
  /** false on a read-only connection to a file where nobody set up a competition yet */
  private readonly present: boolean;

  constructor(readonly db: Db) {
    migrate(db, COMPETITIONS_SCHEMA);
    this.present = hasTable(db, 'competitions');
  }

  /** newest window first */
  list(): SavedCompetition[] {
    if (!this.present) return [];
    return this.db.prepare(`SELECT ${COLUMNS} FROM competitions ORDER BY start_date DESC`).all() as SavedCompetition[];
  }

  /** the ones whose window overlaps [from, to], oldest first */
  overlapping(from: string, to: string): SavedCompetition[] {
    if (!this.present) return [];
    return this.db.prepare(`SELECT ${COLUMNS} FROM competitions WHERE start_date <= ? AND end_date >= ? ORDER BY start_date, id`).all(to, from) as SavedCompetition[];
  }

  add(c: Omit<SavedCompetition, 'id'>, at = Date.now()): SavedCompetition {
    const r = this.db
      .prepare('INSERT INTO competitions (name, resource, start_date, end_date, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(c.name, c.resource, c.from, c.to, c.createdBy, at);
    return { id: Number(r.lastInsertRowid), ...c };
  }

  /** false when there was none */
  remove(id: number): boolean {
    return this.db.prepare('DELETE FROM competitions WHERE id = ?').run(id).changes > 0;
  }
}
