/**
 * The operational state every backend keeps in the local SQLite file (CAMPUS_DATA_DIR/campus.db):
 * the last reading and status of each device (the ledger and the wall screen read these), dead
 * letters, and the queue of hours whose rollups must be recomputed. Readings themselves live in
 * the backend (the same file for SQLite, InfluxDB otherwise).
 */
import type { DeviceKind, Reading } from '@campus/contract';
import { migrate, openDb, type Db } from '@campus/runtime';
import { STORE_SCHEMA } from './sqlite/schema.ts';
import { hourOf, type QueuedHour, type RollupQueue } from './rollups.ts';
import type { BoundedCounts, DeadLetter, DeviceLast, PendingDevice, StatusChange } from './records.ts';
import { keptDeadLetter, localBounds, noneBounded, truncated, type LocalBounds } from './bounds.ts';

export type { QueuedHour };

/** The row key of a pending device: its identity, channel and component. */
export const pendingKey = (p: Pick<PendingDevice, 'format' | 'id' | 'bridge' | 'channel' | 'component'>): string =>
  [p.format, p.bridge ?? '', p.id, p.channel ?? '', p.component ?? ''].join('|');

/** Marks a new generation on every batch: a queued hour touched again while being rolled up stays queued. */
let generation = Date.now() * 1000;

export class LocalState implements RollupQueue {
  readonly db: Db;
  readonly bounds: LocalBounds;
  private readonly stmt?: ReturnType<typeof prepare>;

  constructor(
    file: string,
    readonly options: { readonly?: boolean; bounds?: LocalBounds } = {},
  ) {
    this.db = openDb(file, options);
    migrate(this.db, STORE_SCHEMA);
    this.bounds = options.bounds ?? localBounds();
    if (options.readonly) return;
    const stmt = (this.stmt = prepare(this.db));
    // a table grown before the bounds existed (or under larger ones) is brought within them at once; only
    // by the writer that was given its bounds (ingest), not by a tool opening the file with the defaults
    if (options.bounds) this.prunedAtOpen = this.transaction(() => this.pruneDeadLetters(stmt));
  }

  /** dead letters deleted when the file was opened (a table from before the bounds, or under larger ones) */
  prunedAtOpen = 0;

  get readonly(): boolean {
    return !this.stmt;
  }

  private writable(): ReturnType<typeof prepare> {
    if (!this.stmt) throw new Error('[store] this connection is read-only');
    return this.stmt;
  }

  /** Records what a batch changes besides the readings, within the bounds; call inside the backend's transaction. */
  record(
    stored: readonly Reading[],
    statuses: readonly StatusChange[],
    deadLetters: readonly DeadLetter[],
    pending: readonly PendingDevice[] = [],
  ): BoundedCounts {
    const s = this.writable();
    const counts = noneBounded();
    this.keepPending(s, pending, counts);
    // lastSeen moves with every message; the "last reading" only with a newer device time
    const latest = new Map<string, Reading>();
    for (const r of stored) {
      const prev = latest.get(r.deviceId);
      if (!prev || r.ts >= prev.ts) latest.set(r.deviceId, r);
    }
    for (const r of latest.values()) {
      s.upsertLast.run({ deviceId: r.deviceId, siteId: r.siteId, kind: r.kind, ts: r.ts, seq: r.seq, receivedAt: r.receivedAt, v: JSON.stringify(r.values) });
    }
    for (const st of statuses) s.upsertStatus.run(st.deviceId, st.status, st.at);
    this.keepDeadLetters(s, deadLetters, counts);
    const gen = ++generation;
    const hours = new Set(stored.map((r) => `${r.deviceId}\n${hourOf(r.ts)}`));
    for (const key of hours) {
      const [deviceId, hour] = key.split('\n');
      s.queueHour.run(deviceId, Number(hour), gen);
    }
    return counts;
  }

  /**
   * Pending devices within their bound: the ones listed keep being updated; a new identity is listed
   * while there is room, else after forgetting those not heard for `staleAfterMs`, else not at all
   * (counted). Keeping what is listed, not the newest: a flood of made-up ids cannot push the real
   * devices staff is about to adopt off /devices, and a flood that stops ages out.
   */
  private keepPending(s: ReturnType<typeof prepare>, pending: readonly PendingDevice[], counts: BoundedCounts): void {
    if (!pending.length) return;
    const { maxRows, staleAfterMs } = this.bounds.pending;
    let rows = (s.countPending.get() as { n: number }).n;
    let madeRoom = false;
    for (const p of pending) {
      const key = pendingKey(p);
      if (!s.pendingExists.get(key)) {
        if (rows >= maxRows && !madeRoom) {
          rows -= s.forgetStalePending.run(p.seenAt - staleAfterMs).changes;
          madeRoom = true;
        }
        if (rows >= maxRows) {
          counts.pendingRefused++;
          continue;
        }
        rows++;
      }
      s.upsertPending.run({
        key: pendingKey(p),
        format: p.format,
        id: p.id,
        bridge: p.bridge ?? null,
        channel: p.channel ?? null,
        component: p.component ?? null,
        siteId: p.siteId ?? null,
        topic: p.topic,
        payload: p.payload,
        fields: JSON.stringify(p.fields),
        at: p.seenAt,
      });
    }
  }

  /** Dead letters within their bounds: payloads cut (keptDeadLetter), then the oldest deleted past maxRows or maxBytes. */
  private keepDeadLetters(s: ReturnType<typeof prepare>, letters: readonly DeadLetter[], counts: BoundedCounts): void {
    if (!letters.length) return;
    const { maxRows, maxPayloadBytes } = this.bounds.deadLetters;
    // more in one batch than the table holds: only the newest are worth writing
    const fresh = letters.length > maxRows ? letters.slice(letters.length - maxRows) : letters;
    counts.deadLettersDropped += letters.length - fresh.length;
    for (const letter of fresh) {
      const d = keptDeadLetter(letter, maxPayloadBytes);
      if (truncated(d)) counts.deadLettersTruncated++;
      const kept = d.payload.length + Buffer.byteLength(d.topic) + Buffer.byteLength(d.reason);
      s.insertDeadLetter.run(d.receivedAt, d.topic, d.reason, d.payload, d.payloadBytes ?? d.payload.length, d.payloadSha256 ?? null, kept);
    }
    counts.deadLettersDropped += this.pruneDeadLetters(s);
  }

  /** Deletes the oldest dead letters beyond maxRows, then beyond maxBytes; returns how many. */
  private pruneDeadLetters(s: ReturnType<typeof prepare>): number {
    const { maxRows, maxBytes } = this.bounds.deadLetters;
    // ids only grow and only the oldest are deleted, so the newest maxRows are the ids above max - maxRows
    let dropped = s.deleteDeadLettersUpTo.run(-maxRows).changes;
    let bytes = (s.deadLetterBytes.get() as { b: number }).b;
    while (bytes > maxBytes) {
      const oldest = s.oldestDeadLetters.all() as { id: number; kept_bytes: number }[];
      if (!oldest.length) break;
      let upTo = -1;
      for (const r of oldest) {
        if (bytes <= maxBytes) break;
        bytes -= r.kept_bytes;
        upTo = r.id;
      }
      dropped += s.deleteDeadLettersBefore.run(upTo).changes;
    }
    return dropped;
  }

  transaction<T>(fn: () => T): T {
    // IMMEDIATE: take the write lock at BEGIN, so a reader never forces a retry mid-batch
    return this.db.transaction(fn).immediate();
  }

  lastReadings(): DeviceLast[] {
    const rows = this.db.prepare('SELECT device_id, site_id, kind, ts, seq, received_at, v FROM device_last').all() as {
      device_id: string;
      site_id: string;
      kind: DeviceLast['kind'];
      ts: number;
      seq: number;
      received_at: number;
      v: string;
    }[];
    return rows.map((r) => ({
      deviceId: r.device_id,
      siteId: r.site_id,
      kind: r.kind,
      ts: r.ts,
      seq: r.seq,
      receivedAt: r.received_at,
      values: JSON.parse(r.v),
    }));
  }

  statuses(): StatusChange[] {
    const rows = this.db.prepare('SELECT device_id, status, at FROM device_status').all() as {
      device_id: string;
      status: StatusChange['status'];
      at: number;
    }[];
    return rows.map((r) => ({ deviceId: r.device_id, status: r.status, at: r.at }));
  }

  deadLetters(limit: number): (DeadLetter & { id: number })[] {
    const rows = this.db
      .prepare('SELECT id, received_at, topic, reason, payload, payload_bytes, payload_sha256 FROM dead_letters ORDER BY id DESC LIMIT ?')
      .all(limit) as {
      id: number;
      received_at: number;
      topic: string;
      reason: string;
      payload: Buffer;
      payload_bytes: number | null;
      payload_sha256: string | null;
    }[];
    return rows.map((r) => ({
      id: r.id,
      receivedAt: r.received_at,
      topic: r.topic,
      reason: r.reason,
      payload: r.payload,
      ...(r.payload_sha256 ? { payloadBytes: r.payload_bytes ?? r.payload.length, payloadSha256: r.payload_sha256 } : {}),
    }));
  }

  /** Off-the-shelf devices heard but not in the campus file, most recent first. */
  pendingDevices(): (PendingDevice & { firstSeen: number; messages: number })[] {
    const rows = this.db.prepare('SELECT * FROM pending_devices ORDER BY last_seen DESC LIMIT 500').all() as Record<string, unknown>[];
    return rows.map((r) => ({
      format: r.format as PendingDevice['format'],
      id: r.ext_id as string,
      ...(r.bridge ? { bridge: r.bridge as string } : {}),
      ...(r.channel !== null ? { channel: r.channel as number } : {}),
      ...(r.component ? { component: r.component as string } : {}),
      ...(r.site_id ? { siteId: r.site_id as string } : {}),
      topic: r.topic as string,
      payload: r.payload as string,
      fields: JSON.parse(r.fields as string),
      seenAt: r.last_seen as number,
      firstSeen: r.first_seen as number,
      messages: r.messages as number,
    }));
  }

  /** Forgets a pending device (adopted, or dismissed by staff). */
  dropPending(p: Pick<PendingDevice, 'format' | 'id' | 'bridge' | 'channel' | 'component'>): boolean {
    return this.db.prepare('DELETE FROM pending_devices WHERE key = ?').run(pendingKey(p)).changes > 0;
  }

  kindOf(deviceId: string): DeviceKind | undefined {
    return (this.db.prepare('SELECT kind FROM device_last WHERE device_id = ?').get(deviceId) as { kind: DeviceKind } | undefined)?.kind;
  }

  /** The oldest queued device-hours, oldest first per device (only hours starting before `before`). */
  takeDirty(limit: number, before = Number.MAX_SAFE_INTEGER): QueuedHour[] {
    return this.db
      .prepare('SELECT device_id AS deviceId, hour, gen FROM rollup_queue WHERE hour < ? ORDER BY device_id, hour LIMIT ?')
      .all(before, limit) as QueuedHour[];
  }

  /** Dequeues hours rolled up, unless a write touched them again meanwhile (a newer generation). */
  doneDirty(done: readonly QueuedHour[]): void {
    const del = this.db.prepare('DELETE FROM rollup_queue WHERE device_id = ? AND hour = ? AND gen = ?');
    this.db.transaction(() => {
      for (const q of done) del.run(q.deviceId, q.hour, q.gen);
    })();
  }

  dirtyCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM rollup_queue').get() as { n: number }).n;
  }

  /** Row counts, for tests and the health page. */
  count(table: 'readings' | 'dead_letters' | 'device_last' | 'rollups' | 'rollup_queue' | 'pending_devices'): number {
    return (this.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function prepare(db: Db) {
  return {
    upsertLast: db.prepare(`
      INSERT INTO device_last (device_id, site_id, kind, ts, seq, received_at, v) VALUES (@deviceId, @siteId, @kind, @ts, @seq, @receivedAt, @v)
      ON CONFLICT (device_id) DO UPDATE SET
        received_at = max(received_at, excluded.received_at),
        seq = CASE WHEN excluded.ts >= ts THEN excluded.seq ELSE seq END,
        v   = CASE WHEN excluded.ts >= ts THEN excluded.v   ELSE v   END,
        ts  = max(ts, excluded.ts)`),
    upsertStatus: db.prepare(`
      INSERT INTO device_status (device_id, status, at) VALUES (?, ?, ?)
      ON CONFLICT (device_id) DO UPDATE SET status = excluded.status, at = excluded.at WHERE excluded.at >= at`),
    insertDeadLetter: db.prepare(
      'INSERT INTO dead_letters (received_at, topic, reason, payload, payload_bytes, payload_sha256, kept_bytes) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    deleteDeadLettersUpTo: db.prepare('DELETE FROM dead_letters WHERE id <= (SELECT max(id) FROM dead_letters) + ?'),
    deleteDeadLettersBefore: db.prepare('DELETE FROM dead_letters WHERE id <= ?'),
    deadLetterBytes: db.prepare('SELECT coalesce(sum(kept_bytes), 0) AS b FROM dead_letters'),
    oldestDeadLetters: db.prepare('SELECT id, kept_bytes FROM dead_letters ORDER BY id LIMIT 500'),
    countPending: db.prepare('SELECT count(*) AS n FROM pending_devices'),
    pendingExists: db.prepare('SELECT 1 FROM pending_devices WHERE key = ?').pluck(),
    forgetStalePending: db.prepare('DELETE FROM pending_devices WHERE last_seen < ?'),
    upsertPending: db.prepare(`
      INSERT INTO pending_devices (key, format, ext_id, bridge, channel, component, site_id, topic, payload, fields, first_seen, last_seen, messages)
      VALUES (@key, @format, @id, @bridge, @channel, @component, @siteId, @topic, @payload, @fields, @at, @at, 1)
      ON CONFLICT (key) DO UPDATE SET topic = excluded.topic, payload = excluded.payload, fields = excluded.fields,
        last_seen = max(last_seen, excluded.last_seen), messages = messages + 1`),
    queueHour: db.prepare('INSERT INTO rollup_queue (device_id, hour, gen) VALUES (?, ?, ?) ON CONFLICT (device_id, hour) DO UPDATE SET gen = excluded.gen'),
  };
}
