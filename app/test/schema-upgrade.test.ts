/**
 * A school upgrading: campus.db written by the program of before (one migration list for every
 * table, PRAGMA user_version 6) is opened by today's owners — the store, repairs, detection and
 * the report's competitions — each of which takes over its own tables with what they hold, and
 * migrates only what is its own from then on.
 */
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DetectorStateStore } from '@campus/detection';
import { TicketStore } from '@campus/repairs';
import { CompetitionStore } from '@campus/report';
import { dbPath, openDb, schemaVersions } from '@campus/runtime';
import { SqliteReadingStore } from '@campus/store';
import { tempDir } from '@campus/testkit';

const ONE_LIST_V6 = readFileSync(new URL('./fixtures/campus-db-one-list-v6.sql', import.meta.url), 'utf8');
const T0 = Date.parse('2026-11-23T08:00:00+08:00');

function fileOfBefore(file: string): void {
  const raw = new Database(file);
  raw.exec(ONE_LIST_V6);
  raw.prepare('INSERT INTO readings (device_id, ts, seq, received_at, v) VALUES (?, ?, ?, ?, ?)').run('em-1', T0, 1, T0, '{"totalKWh":5}');
  raw
    .prepare(
      "INSERT INTO tickets (site_id, device_id, condition, title, summary, severity, trade, category, status, opened_at, last_at) VALUES ('dongnan', 'wm-main', 'water.night-flow', '夜间持续用水', '…', 'major', 'plumbing', 'repair', 'open', ?, ?)",
    )
    .run(T0, T0);
  raw.prepare("INSERT INTO detector_state (device_id, detector, state, updated_at) VALUES ('*', 'engine', '{\"v\":1}', ?)").run(T0);
  raw
    .prepare("INSERT INTO competitions (name, resource, start_date, end_date, created_by, created_at) VALUES ('九月节电周', 'electricity', '2026-09-21', '2026-09-25', 'admin', ?)")
    .run(T0);
  raw.close();
}

describe('campus.db of before, opened by the owners of today', () => {
  it('every owner takes over its tables with their rows and records its version; nothing is created twice', async () => {
    const dir = tempDir();
    try {
      const file = dbPath(dir.path);
      fileOfBefore(file);
      const store = new SqliteReadingStore(file);
      const db = openDb(file);
      const tickets = new TicketStore(db);
      const state = new DetectorStateStore(db);
      const competitions = new CompetitionStore(db);
      expect(schemaVersions(db)).toEqual({ store: 4, repairs: 2, detection: 1, report: 1 });
      expect(store.count('readings')).toBe(1);
      expect(tickets.openedBetween(T0 - 1, T0 + 1).map((t) => t.condition)).toEqual(['water.night-flow']);
      expect(state.load()).toEqual([{ deviceId: '*', detector: 'engine', state: { v: 1 } }]);
      expect(competitions.list().map((c) => c.name)).toEqual(['九月节电周']);
      // the program of before now refuses the file (its check: user_version beyond its 6 migrations)
      expect(db.pragma('user_version', { simple: true })).toBeGreaterThan(6);
      store.close();
      db.close();
      // and opening it again migrates nothing (each owner's version is kept)
      const again = openDb(file);
      new TicketStore(again);
      new CompetitionStore(again);
      expect(schemaVersions(again)).toEqual({ store: 4, repairs: 2, detection: 1, report: 1 });
      again.close();
    } finally {
      dir.remove();
    }
  });

  it('a new file: each owner creates only its own tables', () => {
    const dir = tempDir();
    try {
      const db = openDb(dbPath(dir.path));
      new TicketStore(db);
      const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
      expect(tables).toEqual(['schema_versions', 'ticket_events', 'ticket_trackers', 'tickets']);
      expect(schemaVersions(db)).toEqual({ repairs: 2 });
      db.close();
    } finally {
      dir.remove();
    }
  });
});
