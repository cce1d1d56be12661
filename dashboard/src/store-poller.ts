/**
 * For a dashboard running in its own process: opens the store read-only (the local file, and
 * InfluxDB when CAMPUS_STORE=influx) and turns new last-readings and status changes into the same
 * live events ingest emits in-process.
 */
import { EventEmitter } from 'node:events';
import { existsSync } from 'node:fs';
import type { Reading } from '@campus/contract';
import type { Campus } from '@campus/site';
import { openReadingStore, type ReadingStore, type StatusChange, type StoreSettings } from '@campus/store';
import { dbPath } from '@campus/runtime';
import type { LiveFeed } from './deps.ts';

export class StorePoller extends EventEmitter<{ readings: [Reading[]]; statuses: [StatusChange[]] }> implements LiveFeed {
  private store?: ReadingStore;
  private timer?: NodeJS.Timeout;
  private seenReceived = new Map<string, number>();
  private seenStatus = new Map<string, number>();

  constructor(
    private readonly settings: StoreSettings,
    private readonly campuses: readonly Campus[],
    private readonly everyMs = 2000,
  ) {
    super();
  }

  /** The store, opened once the ingest process has created the file. */
  current(): ReadingStore | undefined {
    if (!this.store && existsSync(dbPath(this.settings.dataDir))) this.store = openReadingStore(this.settings, this.campuses, { readonly: true });
    return this.store;
  }

  start(): void {
    this.timer = setInterval(() => this.poll(), this.everyMs);
    this.timer.unref();
  }

  private poll(): void {
    const store = this.current();
    if (!store) return;
    const readings: Reading[] = [];
    for (const last of store.lastReadings()) {
      if ((this.seenReceived.get(last.deviceId) ?? 0) >= last.receivedAt) continue;
      this.seenReceived.set(last.deviceId, last.receivedAt);
      readings.push({ ...last });
    }
    const statuses = store.statuses().filter((s) => (this.seenStatus.get(s.deviceId) ?? 0) < s.at);
    for (const s of statuses) this.seenStatus.set(s.deviceId, s.at);
    if (readings.length) this.emit('readings', readings);
    if (statuses.length) this.emit('statuses', statuses);
  }

  stop(): void {
    clearInterval(this.timer);
    this.store?.close();
    this.store = undefined;
  }
}
