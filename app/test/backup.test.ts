/**
 * `npm run campus -- backup`: taken while ingest writes, the copy is a consistent SQLite file
 * (integrity_check ok) holding what was committed, the secrets keep their 0700, the manifest's
 * hashes match, and only the newest `--keep` backups stay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import mqtt from 'mqtt';
import { DEMO_CAMPUS_FILE } from '@campus/site';
import { backup } from '../src/backup-cli.ts';
import { startStack, tempDir, waitFor, type Stack } from '@campus/testkit';
import { SqliteReadingStore } from '@campus/store';
import { dbPath } from '@campus/runtime';

describe('backup', () => {
  let stack: Stack;
  const target = tempDir();
  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    await stack?.stop();
    target.remove();
  });

  it('copies a consistent database while ingest writes, the secrets (0700) and the campus file, with a manifest', async () => {
    const id = 'em-g1c1';
    const c = await mqtt.connectAsync(stack.mqttUrl, { clientId: id, username: id, password: stack.devicePassword(id), reconnectPeriod: 0 });
    const t0 = Date.now() - 3_600_000;
    let seq = 0;
    let writing = true;
    // a device keeps publishing during the backup
    const load = (async () => {
      while (writing) {
        seq++;
        await c.publishAsync(`campus/${stack.campus.site.id}/${id}/telemetry`, JSON.stringify({ ts: t0 + seq * 1000, seq, totalKWh: seq }), { qos: 1 });
      }
    })();
    // a reporter's photo, where the photo store keeps them
    mkdirSync(join(stack.dataDir, 'photos', 'ab'), { recursive: true });
    writeFileSync(join(stack.dataDir, 'photos', 'ab', 'ab12.jpg'), Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    const live = new SqliteReadingStore(dbPath(stack.dataDir), { readonly: true });
    await waitFor('200 readings stored', () => live.count('readings') >= 200);
    const r = await backup({ dataDir: stack.dataDir, campusConfig: DEMO_CAMPUS_FILE }, target.path, 14, new Date('2026-11-24T10:00:00Z'));
    writing = false;
    await load;
    await c.endAsync();
    live.close();

    expect(r.dir).toBe(join(target.path, 'campus-20261124-100000'));
    const copy = new Database(join(r.dir, 'campus.db'), { readonly: true });
    try {
      expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
      const n = (copy.prepare('SELECT count(*) AS n FROM readings').get() as { n: number }).n;
      expect(n).toBeGreaterThanOrEqual(200);
      expect(n).toBeLessThanOrEqual(seq);
      // the copy holds whole transactions: its readings are a prefix of what the device sent
      const top = (copy.prepare('SELECT max(seq) AS s FROM readings').get() as { s: number }).s;
      expect(top).toBe(n);
    } finally {
      copy.close();
    }
    expect(statSync(join(r.dir, 'secrets')).mode & 0o777).toBe(0o700);
    expect(existsSync(join(r.dir, 'secrets', 'credentials.json'))).toBe(true);
    expect(existsSync(join(r.dir, 'dongnan.yaml'))).toBe(true);
    expect(readFileSync(join(r.dir, 'photos', 'ab', 'ab12.jpg'))).toEqual(Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    const manifest = readFileSync(join(r.dir, 'MANIFEST.txt'), 'utf8').trim().split('\n');
    expect(manifest.length).toBe(r.files.length);
    for (const line of manifest) {
      const [sha, , path] = line.split('  ');
      expect(
        createHash('sha256')
          .update(readFileSync(join(r.dir, path!)))
          .digest('hex'),
      ).toBe(sha);
    }
  });

  it('keeps only the newest backups', async () => {
    for (const hour of ['11', '12', '13'])
      await backup({ dataDir: stack.dataDir, campusConfig: DEMO_CAMPUS_FILE }, target.path, 2, new Date(`2026-11-24T${hour}:00:00Z`));
    expect(readdirSync(target.path).sort()).toEqual(['campus-20261124-120000', 'campus-20261124-130000']);
  });
});
