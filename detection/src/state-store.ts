/**
 * What detection has learned (night-flow references, fridge baselines), kept in campus.db so that a
 * restart does not forget it: the engine's snapshot, saved every minute and on stop. The table is
 * detection's own (runtime/src/sqlite.ts says who owns what).
 */
import { migrate, type Db, type Schema } from '@campus/runtime';

export const DETECTION_SCHEMA: Schema = {
  owner: 'detection',
  migrations: [
    // 1: detector state (learned references survive restarts)
    `
    CREATE TABLE detector_state (
      device_id  TEXT    NOT NULL,
      detector   TEXT    NOT NULL,
      state      TEXT    NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (device_id, detector)
    );
    `,
  ],
  // the one list of before had the detector state at 2
  fromSharedVersion: (v) => (v >= 2 ? 1 : 0),
};

export interface SavedState {
  deviceId: string;
  detector: string;
  state: unknown;
}

export class DetectorStateStore {
  constructor(private readonly db: Db) {
    migrate(db, DETECTION_SCHEMA);
  }

  load(): SavedState[] {
    const rows = this.db.prepare('SELECT device_id, detector, state FROM detector_state').all() as { device_id: string; detector: string; state: string }[];
    return rows.map((r) => ({ deviceId: r.device_id, detector: r.detector, state: JSON.parse(r.state) }));
  }

  save(entries: readonly SavedState[], at: number): void {
    const put = this.db.prepare(
      'INSERT INTO detector_state (device_id, detector, state, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (device_id, detector) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at',
    );
    this.db.transaction(() => {
      for (const e of entries) put.run(e.deviceId, e.detector, JSON.stringify(e.state), at);
    })();
  }
}
