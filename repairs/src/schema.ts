/** The repairs tables in campus.db (runtime/src/sqlite.ts says who owns what): tickets and their audit trail. */
import type { Schema } from '@campus/runtime';

export const REPAIRS_SCHEMA: Schema = {
  owner: 'repairs',
  migrations: [
    // 1: repair tickets with their audit trail
    `
    CREATE TABLE tickets (
      id              INTEGER PRIMARY KEY,
      site_id         TEXT    NOT NULL,
      device_id       TEXT    NOT NULL,  -- the subject: a device, or a gateway / feeder for a common cause
      condition       TEXT    NOT NULL,
      title           TEXT    NOT NULL,
      summary         TEXT    NOT NULL,
      severity        TEXT    NOT NULL,
      trade           TEXT    NOT NULL,
      category        TEXT    NOT NULL,
      status          TEXT    NOT NULL,
      opened_at       INTEGER NOT NULL,
      last_at         INTEGER NOT NULL,
      occurrences     INTEGER NOT NULL DEFAULT 1,
      cleared_at      INTEGER,
      acknowledged_at INTEGER,
      acknowledged_by TEXT,
      resolved_at     INTEGER,
      resolved_by     TEXT,
      escalated_at    INTEGER,
      evidence        TEXT    NOT NULL DEFAULT '[]',
      details         TEXT    NOT NULL DEFAULT '{}'
    );
    -- one open ticket per (device, condition): repeats update it
    CREATE UNIQUE INDEX tickets_one_open ON tickets (device_id, condition) WHERE status <> 'resolved';
    CREATE INDEX tickets_status ON tickets (status, severity);

    CREATE TABLE ticket_events (
      id        INTEGER PRIMARY KEY,
      ticket_id INTEGER NOT NULL REFERENCES tickets (id),
      at        INTEGER NOT NULL,
      actor     TEXT    NOT NULL,
      action    TEXT    NOT NULL,
      note      TEXT
    );
    CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);
    `,
  ],
  // the one list of before had the tickets at 2
  fromSharedVersion: (v) => (v >= 2 ? 1 : 0),
};
