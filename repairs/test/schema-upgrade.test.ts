/** A campus.db whose repairs tables are at migration 1, with tickets in it, upgraded in place to migration 2. */
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createLog, migrate, openDb, schemaVersions } from '@campus/runtime';
import { REPAIRS_SCHEMA, TicketService, TicketStore } from '@campus/repairs';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { tempDir } from '@campus/testkit';
import { report, T0 } from './desk-fixture.ts';

function migrationOneFile(file: string): void {
  const db = openDb(file);
  migrate(db, { ...REPAIRS_SCHEMA, migrations: REPAIRS_SCHEMA.migrations.slice(0, 1) });
  const add = db.prepare(
    `INSERT INTO tickets (site_id, device_id, condition, title, summary, severity, trade, category, status, opened_at, last_at, resolved_at, resolved_by)
     VALUES ('dongnan', ?, ?, '夜间持续用水', '…', 'major', 'plumber', 'repair', ?, ?, ?, ?, ?)`,
  );
  add.run('wm-main', 'water.night-flow', 'open', T0, T0, null, null);
  const done = Number(add.run('wm-canteen', 'water.night-flow', 'resolved', T0, T0, T0 + 60_000, '李师傅').lastInsertRowid);
  db.prepare("INSERT INTO ticket_events (ticket_id, at, actor, action, note) VALUES (?, ?, '李师傅', 'resolve', '关好了阀门')").run(done, T0 + 60_000);
  db.close();
}

describe('repairs migration 2 on a file of before', () => {
  it('keeps the tickets, gives them the empty request fields, the resolution note from the trail, and one open per device and condition', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'campus.db');
      migrationOneFile(file);
      const db = openDb(file);
      const store = new TicketStore(db);
      expect(schemaVersions(db)).toEqual({ repairs: 2 });
      const svc = new TicketService(store, [loadCampus(DEMO_CAMPUS_FILE)], createLog('test'));
      const [resolved, open] = svc.list();
      expect(open).toMatchObject({ deviceId: 'wm-main', status: 'open', source: 'sensor', reports: 0, photos: [], assignee: null, dueAt: null, resolution: null });
      expect(resolved).toMatchObject({ deviceId: 'wm-canteen', status: 'resolved', resolution: { note: '关好了阀门', materials: null, costYuan: null } });
      // the unique index still holds for sensor tickets
      expect(() =>
        store.insert({ ...store.get(open!.id)!, title: 'again' } as never),
      ).toThrow(/UNIQUE constraint failed/);
      // and the new columns work
      expect(svc.report(report()).joined).toBe(false);
      db.close();
      // opened again: nothing migrates twice
      const again = openDb(file);
      new TicketStore(again);
      expect(schemaVersions(again)).toEqual({ repairs: 2 });
      again.close();
      // read-only, as a dashboard of its own reads it
      const ro = openDb(file, { readonly: true });
      expect(new TicketService(new TicketStore(ro), [loadCampus(DEMO_CAMPUS_FILE)], createLog('test')).list()).toHaveLength(3);
      ro.close();
    } finally {
      dir.remove();
    }
  });

  it('a read-only reader of a file still at migration 1 sees no tickets until the owner upgrades it, then sees them', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'campus.db');
      migrationOneFile(file);
      const ro = openDb(file, { readonly: true });
      const reader = new TicketStore(ro);
      expect(reader.list()).toEqual([]);
      const owner = openDb(file);
      new TicketStore(owner);
      expect(reader.list()).toHaveLength(2);
      owner.close();
      ro.close();
    } finally {
      dir.remove();
    }
  });
});
