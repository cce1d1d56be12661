/**
 * The embedded database file (CAMPUS_DATA_DIR/campus.db): WAL mode so the dashboard reads while
 * ingest writes, synchronous=FULL so a committed batch survives a power cut, and numbered
 * migrations so an upgrade never edits a table by hand.
 */
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CampusError } from '@campus/runtime';

export type Db = Database.Database;

export function dbPath(dataDir: string): string {
  return join(dataDir, 'campus.db');
}

const MIGRATIONS: string[] = [
  // 1: readings, last reading per device, device status, dead letters
  `
  CREATE TABLE readings (
    device_id   TEXT    NOT NULL,
    ts          INTEGER NOT NULL,  -- device time, epoch ms: with device_id, the identity of a reading
    seq         INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    v           TEXT    NOT NULL,  -- validated values, JSON
    PRIMARY KEY (device_id, ts)
  ) WITHOUT ROWID;

  CREATE TABLE device_last (
    device_id   TEXT PRIMARY KEY,
    site_id     TEXT    NOT NULL,
    kind        TEXT    NOT NULL,
    ts          INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    v           TEXT    NOT NULL
  );

  CREATE TABLE device_status (
    device_id TEXT PRIMARY KEY,
    status    TEXT    NOT NULL,
    at        INTEGER NOT NULL
  );

  CREATE TABLE dead_letters (
    id          INTEGER PRIMARY KEY,
    received_at INTEGER NOT NULL,
    topic       TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    payload     BLOB    NOT NULL
  );
  CREATE INDEX dead_letters_received ON dead_letters (received_at);
  `,
  // 2: repair tickets with their audit trail, and detector state (learned references survive restarts)
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

  CREATE TABLE detector_state (
    device_id  TEXT    NOT NULL,
    detector   TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (device_id, detector)
  );
  `,
  // 3: competitions the office sets up (a custom window with a name)
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
  // 4: rollups (hourly, and daily by local day) and the queue of hours to recompute. InfluxDB
  // deployments keep their rollups in InfluxDB and use only the queue here.
  `
  CREATE TABLE rollups (
    period    TEXT    NOT NULL,  -- '1h' or '1d'
    device_id TEXT    NOT NULL,
    field     TEXT    NOT NULL,  -- flat field name: totalKWh, currentA_a, ...
    bucket    INTEGER NOT NULL,  -- start of the hour, or local midnight, epoch ms
    n         INTEGER NOT NULL,
    sum       REAL    NOT NULL,
    min       REAL    NOT NULL,
    max       REAL    NOT NULL,
    first     REAL    NOT NULL,
    last      REAL    NOT NULL,
    PRIMARY KEY (period, device_id, field, bucket)
  ) WITHOUT ROWID;

  CREATE TABLE rollup_queue (
    device_id TEXT    NOT NULL,
    hour      INTEGER NOT NULL,
    gen       INTEGER NOT NULL,  -- changes when the hour is touched again while being recomputed
    PRIMARY KEY (device_id, hour)
  ) WITHOUT ROWID;
  -- readings stored before this version get their rollups on the first pass
  INSERT INTO rollup_queue (device_id, hour, gen) SELECT device_id, (ts / 3600000) * 3600000, 0 FROM readings GROUP BY 1, 2;
  `,
  // 5: off-the-shelf devices heard but not in the campus file: listed on /devices for adoption
  `
  CREATE TABLE pending_devices (
    key        TEXT PRIMARY KEY,   -- format|bridge|id|channel|component
    format     TEXT    NOT NULL,
    ext_id     TEXT    NOT NULL,
    bridge     TEXT,
    channel    INTEGER,
    component  TEXT,
    site_id    TEXT,
    topic      TEXT    NOT NULL,
    payload    TEXT    NOT NULL,
    fields     TEXT    NOT NULL,
    first_seen INTEGER NOT NULL,
    last_seen  INTEGER NOT NULL,
    messages   INTEGER NOT NULL
  );
  `,
  // 6: dead letters are bounded (store/bounds.ts): a payload beyond the bound is kept as its first
  // bytes with its length and SHA-256; kept_bytes (payload, topic and reason as kept) is what the
  // byte bound adds up
  `
  ALTER TABLE dead_letters ADD COLUMN payload_bytes INTEGER;
  ALTER TABLE dead_letters ADD COLUMN payload_sha256 TEXT;
  ALTER TABLE dead_letters ADD COLUMN kept_bytes INTEGER NOT NULL DEFAULT 0;
  UPDATE dead_letters SET payload_bytes = length(payload), kept_bytes = length(payload) + length(CAST(topic AS BLOB)) + length(CAST(reason AS BLOB));
  `,
];

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
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new CampusError('CAMPUS_ERR_STORE', `[sqlite] database schema ${current} is newer than this program (${MIGRATIONS.length}); upgrade the program`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}
