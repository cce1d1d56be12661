/**
 * The reading store for a dashboard in a process of its own: opened read-only once the ingest
 * process has created the file (the local file, and InfluxDB when CAMPUS_STORE=influx).
 */
import { existsSync } from 'node:fs';
import { dbPath } from '@campus/runtime';
import type { Campus } from '@campus/site';
import { openReadingStore, type ReadingStore, type StoreSettings } from '@campus/store';

export class StoreReader {
  private store?: ReadingStore;

  constructor(
    private readonly settings: StoreSettings,
    private readonly campuses: readonly Campus[],
  ) {}

  current(): ReadingStore | undefined {
    if (!this.store && existsSync(dbPath(this.settings.dataDir))) this.store = openReadingStore(this.settings, this.campuses, { readonly: true });
    return this.store;
  }

  close(): void {
    this.store?.close();
    this.store = undefined;
  }
}
