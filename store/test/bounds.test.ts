/**
 * The local file's bounds against a real SQLite file (store/src/bounds.ts): dead letters by count and
 * bytes with payloads cut past a size (60 KiB junk payloads kept whole grew campus.db by 80 MB/s),
 * and the off-the-shelf devices waiting for adoption by count (20,000 fake Zigbee sensors). Each is
 * pushed to ten times its bound: rows, kept bytes and the file stay flat, the newest dead letters
 * and the devices already listed are what remain, and every drop is counted.
 */
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '@campus/testkit';
import { keptDeadLetter, localBounds, SqliteReadingStore, type DeadLetter, type PendingDevice } from '@campus/store';
import { batch } from './conformance.ts';

const dir = tempDir();
afterAll(() => dir.remove());
const T0 = Date.parse('2026-11-23T10:00:00+08:00');

const junk = (i: number, bytes = 60 * 1024): DeadLetter => ({
  receivedAt: T0 + i,
  topic: `campus/dongnan/wm-main/telemetry`,
  reason: `not valid JSON (#${i})`,
  payload: Buffer.concat([Buffer.from(`#${i}:`), randomBytes(bytes)]),
});
/** The database and its write-ahead log, after a checkpoint: what the disk holds. */
function fileBytes(file: string, store: SqliteReadingStore): number {
  store.local.db.pragma('wal_checkpoint(TRUNCATE)');
  const size = (f: string) => {
    try {
      return statSync(f).size;
    } catch {
      return 0;
    }
  };
  return size(file) + size(`${file}-wal`);
}
const keptBytes = (store: SqliteReadingStore) =>
  (store.local.db.prepare('SELECT coalesce(sum(kept_bytes), 0) AS b FROM dead_letters').get() as { b: number }).b;

describe('dead letters', () => {
  it('ten times the row bound of 60 KiB junk: 200 rows of 1 KiB kept, the newest, the file flat, every drop and cut counted', async () => {
    const file = join(dir.path, 'dead-rows.db');
    const bounds = localBounds({ deadLetters: { maxRows: 200, maxBytes: 64 * 1024 * 1024, maxPayloadBytes: 1024 } });
    const store = new SqliteReadingStore(file, { bounds });
    const totals = { dropped: 0, truncated: 0 };
    const sizes: number[] = [];
    for (let round = 0; round < 10; round++) {
      for (let b = 0; b < 4; b++) {
        const letters = Array.from({ length: 50 }, (_, k) => junk(round * 200 + b * 50 + k));
        const result = await store.write(batch({ deadLetters: letters }));
        totals.dropped += result.bounded?.deadLettersDropped ?? 0;
        totals.truncated += result.bounded?.deadLettersTruncated ?? 0;
      }
      expect(store.count('dead_letters')).toBe(200);
      sizes.push(fileBytes(file, store));
    }
    expect(totals).toEqual({ dropped: 1800, truncated: 2000 });
    // the newest 200 remain, each its first 1 KiB with the length and hash of what came
    const kept = store.deadLetters(1000);
    expect(kept.map((d) => d.receivedAt - T0)).toEqual(Array.from({ length: 200 }, (_, k) => 1999 - k));
    const last = junk(1999);
    expect(kept[0]!.payload.length).toBe(1024);
    expect(kept[0]!.payloadBytes).toBe(last.payload.length);
    expect(kept[0]!.payload.subarray(0, 6).toString()).toBe('#1999:');
    expect(kept[0]!.payloadSha256).toMatch(/^[0-9a-f]{64}$/);
    // flat: after the first round the file does not grow (freed pages are reused)
    expect(Math.max(...sizes.slice(1))).toBeLessThanOrEqual(sizes[0]! * 1.5 + 64 * 1024);
    expect(sizes.at(-1)!).toBeLessThan(2 * 1024 * 1024);
    store.close();
  });

  it('the byte bound: kept bytes stay under maxBytes whatever the row bound, oldest first', async () => {
    const file = join(dir.path, 'dead-bytes.db');
    const store = new SqliteReadingStore(file, { bounds: localBounds({ deadLetters: { maxRows: 1_000_000, maxBytes: 256 * 1024, maxPayloadBytes: 8192 } }) });
    let dropped = 0;
    for (let i = 0; i < 400; i += 20) {
      const r = await store.write(batch({ deadLetters: Array.from({ length: 20 }, (_, k) => junk(i + k, 10_000)) }));
      dropped += r.bounded?.deadLettersDropped ?? 0;
      expect(keptBytes(store)).toBeLessThanOrEqual(256 * 1024);
    }
    const rows = store.count('dead_letters');
    expect(rows).toBeGreaterThan(20);
    expect(rows + dropped).toBe(400);
    expect(store.deadLetters(1)[0]!.receivedAt).toBe(T0 + 399);
    store.close();
  });

  it('a payload within the bound is kept whole, without a hash', async () => {
    const store = new SqliteReadingStore(join(dir.path, 'dead-small.db'));
    const payload = Buffer.from('{"ts":1,"totalM3":"x"}');
    const r = await store.write(batch({ deadLetters: [{ receivedAt: T0, topic: 't', reason: 'r', payload }] }));
    expect(r.bounded).toBeUndefined();
    const [d] = store.deadLetters(1);
    expect(d!.payload.equals(payload)).toBe(true);
    expect(d).not.toHaveProperty('payloadSha256');
    store.close();
  });

  it('a table from before the bounds (schema 5, payloads kept whole) is brought within them when the file is opened', async () => {
    const file = join(dir.path, 'legacy.db');
    new SqliteReadingStore(file).close();
    const raw = new Database(file);
    raw.exec(
      'DROP TABLE schema_versions; ALTER TABLE dead_letters DROP COLUMN payload_bytes; ALTER TABLE dead_letters DROP COLUMN payload_sha256; ALTER TABLE dead_letters DROP COLUMN kept_bytes;',
    );
    raw.pragma('user_version = 5');
    const insert = raw.prepare('INSERT INTO dead_letters (received_at, topic, reason, payload) VALUES (?, ?, ?, ?)');
    raw.transaction(() => {
      for (let i = 0; i < 600; i++) insert.run(T0 + i, 'campus/dongnan/wm-main/telemetry', 'not valid JSON', randomBytes(60 * 1024));
    })();
    raw.close();
    const store = new SqliteReadingStore(file, { bounds: localBounds({ deadLetters: { maxRows: 100, maxBytes: 64 * 1024 * 1024, maxPayloadBytes: 1024 } }) });
    expect(store.local.prunedAtOpen).toBe(500);
    expect(store.count('dead_letters')).toBe(100);
    expect(store.deadLetters(1)[0]).toMatchObject({ receivedAt: T0 + 599 });
    expect(keptBytes(store)).toBe(100 * (60 * 1024 + 'campus/dongnan/wm-main/telemetry'.length + 'not valid JSON'.length));
    store.close();
  });

  it('cut in the batch writer before the spool, a letter is not cut again, and keeps the hash of what came', async () => {
    const letter = junk(1, 10_000);
    const once = keptDeadLetter(letter, 1024);
    expect(keptDeadLetter(once, 1024)).toBe(once);
    expect(once.payloadSha256).toBe(createHash('sha256').update(letter.payload).digest('hex'));
    const store = new SqliteReadingStore(join(dir.path, 'dead-twice.db'), { bounds: localBounds({ deadLetters: { maxPayloadBytes: 1024 } }) });
    const r = await store.write(batch({ deadLetters: [once] }));
    expect(r.bounded).toMatchObject({ deadLettersTruncated: 1, deadLettersDropped: 0 });
    expect(store.deadLetters(1)[0]).toMatchObject({ payloadBytes: letter.payload.length, payloadSha256: once.payloadSha256 });
    store.close();
  });
});

describe('pending off-the-shelf devices', () => {
  const sensor = (i: number, seenAt: number): PendingDevice => ({
    format: 'zigbee2mqtt',
    id: `fake-${i}`,
    bridge: 'zigbee2mqtt',
    topic: `zigbee2mqtt/fake-${i}`,
    payload: '{"temperature":3}',
    fields: { tempC: 3 },
    seenAt,
  });

  it('ten times the bound of fake sensors: the 50 listed first stay and keep being updated, the rest are refused and counted', async () => {
    const file = join(dir.path, 'pending.db');
    const store = new SqliteReadingStore(file, { bounds: localBounds({ pending: { maxRows: 50, staleAfterMs: 86_400_000 } }) });
    let refused = 0;
    const sizes: number[] = [];
    for (let round = 0; round < 10; round++) {
      const pending = Array.from({ length: 50 }, (_, k) => sensor(round * 50 + k, T0 + round * 1000));
      // the first 50 keep reporting, as a real device does
      pending.push(sensor(round % 50, T0 + round * 1000));
      const r = await store.write(batch({ pending }));
      refused += r.bounded?.pendingRefused ?? 0;
      expect(store.count('pending_devices')).toBe(50);
      sizes.push(fileBytes(file, store));
    }
    expect(refused).toBe(450);
    const listed = store.pendingDevices();
    expect(new Set(listed.map((p) => p.id))).toEqual(new Set(Array.from({ length: 50 }, (_, k) => `fake-${k}`)));
    expect(listed.find((p) => p.id === 'fake-9')).toMatchObject({ messages: 2, seenAt: T0 + 9000 });
    expect(Math.max(...sizes)).toBe(sizes[0]);
    store.close();
  });

  it('when the list is full, the ones not heard for staleAfterMs make room for new ones', async () => {
    const store = new SqliteReadingStore(join(dir.path, 'pending-stale.db'), { bounds: localBounds({ pending: { maxRows: 10, staleAfterMs: 3_600_000 } }) });
    await store.write(batch({ pending: Array.from({ length: 10 }, (_, k) => sensor(k, T0)) }));
    // one of them keeps reporting; two hours later a real sensor is installed
    await store.write(batch({ pending: [sensor(3, T0 + 2 * 3_600_000 - 60_000)] }));
    const r = await store.write(batch({ pending: [sensor(100, T0 + 2 * 3_600_000)] }));
    expect(r.bounded).toBeUndefined();
    expect(
      store
        .pendingDevices()
        .map((p) => p.id)
        .sort(),
    ).toEqual(['fake-100', 'fake-3']);
    store.close();
  });
});
