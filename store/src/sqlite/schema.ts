/**
 * The store's tables in campus.db (runtime/src/sqlite.ts says who owns what): readings, the last
 * reading and status per device, dead letters, rollups and their queue, pending off-the-shelf devices.
 */
import type { Schema } from '@campus/runtime';

export const STORE_SCHEMA: Schema = {
  owner: 'store',
  migrations: [
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
    // 2: rollups (hourly, and daily by local day) and the queue of hours to recompute. InfluxDB
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
    // 3: off-the-shelf devices heard but not in the campus file: listed on /devices for adoption
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
    // 4: dead letters are bounded (store/src/bounds.ts): a payload beyond the bound is kept as its first
    // bytes with its length and SHA-256; kept_bytes (payload, topic and reason as kept) is what the
    // byte bound adds up
    `
    ALTER TABLE dead_letters ADD COLUMN payload_bytes INTEGER;
    ALTER TABLE dead_letters ADD COLUMN payload_sha256 TEXT;
    ALTER TABLE dead_letters ADD COLUMN kept_bytes INTEGER NOT NULL DEFAULT 0;
    UPDATE dead_letters SET payload_bytes = length(payload), kept_bytes = length(payload) + length(CAST(topic AS BLOB)) + length(CAST(reason AS BLOB));
    `,
  ],
  // the one list of before: 1 readings, 2 tickets and detector state, 3 competitions, 4 rollups, 5 pending devices, 6 dead-letter bounds
  fromSharedVersion: (v) => [0, 1, 1, 1, 2, 3, 4][v] ?? 4,
};
