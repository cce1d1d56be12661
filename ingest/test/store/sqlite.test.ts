import { afterAll } from 'vitest';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { join } from 'node:path';
import { SqliteReadingStore } from '@campus/ingest';
import { tempDir } from '@campus/testkit';
import { describeStore, reading } from './conformance.ts';

const dir = tempDir();
afterAll(() => dir.remove());
let n = 0;

describeStore('sqlite', () => new SqliteReadingStore(join(dir.path, `store-${n++}.db`)));

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

  it('refuses a database from a newer version instead of guessing', () => {
    const file = join(dir.path, 'future.db');
    const raw = new Database(file);
    raw.pragma('user_version = 999');
    raw.close();
    expect(() => new SqliteReadingStore(file)).toThrow(/newer than this program/);
  });
});
