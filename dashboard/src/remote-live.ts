/**
 * The live feed of a dashboard in a process of its own: what ingest stored, as ingest says it on
 * the bus after each batch (contract/src/ops.ts), re-emitted as the in-process feed would be —
 * nothing polls the store. A reading that is not a reading is dropped (the bus is ours, but a
 * dashboard must not fall over on a bad message).
 */
import { EventEmitter } from 'node:events';
import { liveReadingsTopic, liveStatusesTopic, type Reading } from '@campus/contract';
import type { Bus } from '@campus/runtime';
import type { StatusChange } from '@campus/store';
import type { LiveFeed } from './deps.ts';

export class RemoteLive extends EventEmitter<{ readings: [Reading[]]; statuses: [StatusChange[]] }> implements LiveFeed {
  /** Hears the live feed of `sites` (the dashboard's campuses). */
  async start(bus: Bus, sites: readonly string[]): Promise<void> {
    for (const site of sites) {
      await bus.subscribe(liveReadingsTopic(site), (body) => {
        if (Array.isArray(body)) this.emit('readings', body.filter((r) => typeof r?.deviceId === 'string' && typeof r?.ts === 'number'));
      });
      await bus.subscribe(liveStatusesTopic(site), (body) => {
        if (Array.isArray(body)) this.emit('statuses', body.filter((s) => typeof s?.deviceId === 'string' && typeof s?.at === 'number'));
      });
    }
  }
}
