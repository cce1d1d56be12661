/** The repairs tables in campus.db (runtime/src/sqlite.ts says who owns what): tickets, their audit trail, the reporters' tracking tokens. */
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
    // 2: requests reported by people, assignment, due times, photos, the resolution, the
    // reporter's confirmation; a person's request has the subject room:<site>/<roomId> or place:<site>/<text>
    // and the condition request.<kind>, so tickets_one_open keeps one open per place and kind
    `
    ALTER TABLE tickets ADD COLUMN source               TEXT    NOT NULL DEFAULT 'sensor';
    ALTER TABLE tickets ADD COLUMN report_kind          TEXT;
    ALTER TABLE tickets ADD COLUMN reporter_name        TEXT;
    ALTER TABLE tickets ADD COLUMN reporter_phone       TEXT;
    ALTER TABLE tickets ADD COLUMN reports              INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE tickets ADD COLUMN place                TEXT;
    ALTER TABLE tickets ADD COLUMN assignee             TEXT;
    ALTER TABLE tickets ADD COLUMN assignee_name        TEXT;
    ALTER TABLE tickets ADD COLUMN assigned_at          INTEGER;
    ALTER TABLE tickets ADD COLUMN due_at               INTEGER;
    ALTER TABLE tickets ADD COLUMN overdue_at           INTEGER;  -- when 'overdue' was said (once)
    ALTER TABLE tickets ADD COLUMN photos               TEXT    NOT NULL DEFAULT '[]';
    ALTER TABLE tickets ADD COLUMN resolution_note      TEXT;
    ALTER TABLE tickets ADD COLUMN resolution_materials TEXT;
    ALTER TABLE tickets ADD COLUMN resolution_cost_yuan REAL;
    ALTER TABLE tickets ADD COLUMN confirmed_at         INTEGER;
    ALTER TABLE tickets ADD COLUMN rating               INTEGER;
    ALTER TABLE tickets ADD COLUMN merged_into          INTEGER REFERENCES tickets (id);
    -- a resolved ticket of before: its resolution note is the note of its last resolve
    UPDATE tickets SET resolution_note = (
      SELECT note FROM ticket_events e WHERE e.ticket_id = tickets.id AND e.action = 'resolve' ORDER BY e.id DESC LIMIT 1
    ) WHERE status = 'resolved';
    CREATE INDEX tickets_assignee ON tickets (assignee) WHERE assignee IS NOT NULL;
    CREATE INDEX tickets_due ON tickets (due_at) WHERE status <> 'resolved' AND overdue_at IS NULL;

    -- each reporter's secret tracking link: only its SHA-256 is kept
    CREATE TABLE ticket_trackers (
      token_sha256 TEXT    PRIMARY KEY,
      ticket_id    INTEGER NOT NULL REFERENCES tickets (id),
      created_at   INTEGER NOT NULL
    );
    CREATE INDEX ticket_trackers_ticket ON ticket_trackers (ticket_id);
    `,
  ],
  // the one list of before had the tickets at 2
  fromSharedVersion: (v) => (v >= 2 ? 1 : 0),
};
