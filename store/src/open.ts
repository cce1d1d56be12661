/** Opens the reading store that CAMPUS_STORE names, in CAMPUS_DATA_DIR (and CAMPUS_INFLUX_URL / _DB). */
import type { Campus } from '@campus/site';
import { storeContext } from './context.ts';
import { InfluxReadingStore } from './influx/influx-store.ts';
import { dbPath } from '@campus/runtime';
import { SqliteReadingStore } from './sqlite/sqlite-store.ts';
import type { ReadingStore } from './records.ts';
import type { LocalBounds } from './bounds.ts';

export interface StoreSettings {
  store: 'sqlite' | 'influx';
  dataDir: string;
  influxUrl: string;
  influxDb: string;
  rawRetentionDays: number;
  /** dead letters and pending devices kept at most (default DEFAULT_LOCAL_BOUNDS) */
  bounds?: LocalBounds;
}

export function openReadingStore(settings: StoreSettings, campuses: readonly Campus[], options: { readonly?: boolean } = {}): ReadingStore {
  const context = storeContext(campuses);
  const localFile = dbPath(settings.dataDir);
  if (settings.store === 'influx') {
    return new InfluxReadingStore({
      url: settings.influxUrl,
      db: settings.influxDb,
      localFile,
      context,
      rawRetentionDays: settings.rawRetentionDays,
      readonly: options.readonly,
      bounds: settings.bounds,
    });
  }
  return new SqliteReadingStore(localFile, { readonly: options.readonly, context, bounds: settings.bounds });
}
