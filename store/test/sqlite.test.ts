import { afterAll } from 'vitest';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SqliteReadingStore } from '@campus/store';
import { tempDir } from '@campus/testkit';
import { batch, describeStore, reading, T0, TEST_CONTEXT } from './conformance.ts';

const dir = tempDir();
afterAll(() => dir.remove());
let n = 0;

describeStore('sqlite', (context) => new SqliteReadingStore(join(dir.path, `store-${n++}.db`), { context }));

describe('sqlite specifics', () => {
  it('uses WAL with full fsync, and a read-only connection sees committed data but cannot write', async () => {
    const file = join(dir.path, 'ro.db');
    const writer = new SqliteReadingStore(file);
    await writer.write({ readings: [reading('em-1', 1_795_363_200_000, { totalKWh: 1 })], statuses: [], deadLetters: [] });
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    const reader = new SqliteReadingStore(file, { readonly: true });
    expect(reader.lastReadings()).toHaveLength(1);
    await expect(reader.write({ readings: [], statuses: [], deadLetters: [] })).rejects.toThrow(/read-only/);
    reader.close();
    writer.close();
  });

  it('prunes raw readings past retention, never an hour still waiting for its rollup, and keeps the rollups', async () => {
    const store = new SqliteReadingStore(join(dir.path, 'prune.db'), { context: TEST_CONTEXT });
    const old = Array.from({ length: 10 }, (_, i) => reading('em-1', T0 - 100 * 86_400_000 + i * 60_000, { totalKWh: i }));
    const recent = [reading('em-1', T0, { totalKWh: 50 })];
    await store.write(batch({ readings: [...old, ...recent] }));
    // not rolled up yet: nothing may go
    expect(await store.pruneRaw(T0 - 90 * 86_400_000)).toBe(0);
    await store.rollUp();
    expect(await store.pruneRaw(T0 - 90 * 86_400_000)).toBe(10);
    expect(store.count('readings')).toBe(1);
    const [hour] = await store.series({ deviceId: 'em-1', paths: ['$.totalKWh'], from: T0 - 101 * 86_400_000, to: T0 - 99 * 86_400_000, stepMs: 3_600_000 });
    expect(hour).toMatchObject({ n: 10, min: 0, max: 9 });
    store.close();
  });

  it('queues the hours of readings stored before rollups existed (upgrade to schema 4)', async () => {
    const file = join(dir.path, 'v3.db');
    const store = new SqliteReadingStore(file, { context: TEST_CONTEXT });
    await store.write(batch({ readings: [reading('em-1', T0, { totalKWh: 1 }), reading('em-1', T0 + 3_600_000, { totalKWh: 2 })] }));
    store.close();
    // pretend the file predates version 4 of the one migration list of before: no rollup tables, no queue, no owners
    const raw = new Database(file);
    raw.exec(
      'DROP TABLE rollups; DROP TABLE rollup_queue; DROP TABLE pending_devices; DROP TABLE schema_versions; ' +
        'ALTER TABLE dead_letters DROP COLUMN payload_bytes; ALTER TABLE dead_letters DROP COLUMN payload_sha256; ALTER TABLE dead_letters DROP COLUMN kept_bytes;',
    );
    raw.pragma('user_version = 3');
    raw.close();
    const upgraded = new SqliteReadingStore(file, { context: TEST_CONTEXT });
    expect(upgraded.count('rollup_queue')).toBe(2);
    await upgraded.rollUp();
    expect(await upgraded.dailyUse({ deviceIds: ['em-1'], path: '$.totalKWh', from: T0 - 86_400_000, to: T0 + 86_400_000 })).toEqual([
      { deviceId: 'em-1', date: '2026-11-23', use: 1, readings: 2 },
    ]);
    upgraded.close();
  });

  it('can leave the hour still running for later (every write touches it)', async () => {
    const store = new SqliteReadingStore(join(dir.path, 'open-hour.db'), { context: TEST_CONTEXT });
    const now = T0 + 90 * 60_000; // 09:30: the 08:00 hour is closed, 09:00 is running
    await store.write(batch({ readings: [reading('em-1', T0 + 60_000, { totalKWh: 1 }), reading('em-1', T0 + 70 * 60_000, { totalKWh: 2 })] }));
    expect(await store.rollUp(100, { openHours: false, now })).toMatchObject({ hours: 1, pending: 1 });
    expect(await store.rollUp(100, { openHours: false, now })).toMatchObject({ hours: 0, pending: 1 });
    expect(await store.rollUp(100)).toMatchObject({ hours: 1, pending: 0 });
    store.close();
  });

  it('refuses a database from a newer version instead of guessing', () => {
    const file = join(dir.path, 'future.db');
    new SqliteReadingStore(file).close();
    const raw = new Database(file);
    raw.prepare("UPDATE schema_versions SET version = 99 WHERE owner = 'store'").run();
    raw.close();
    expect(() => new SqliteReadingStore(file)).toThrow(/newer than this program/);
  });
});
