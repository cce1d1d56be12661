/** What the dashboard needs from the rest of the system; built by the runner, or by a test. */
import type { EventEmitter } from 'node:events';
import type { Reading } from '@campus/contract';
import type { ReadingStore, StatusChange, TicketService } from '@campus/ingest';
import type { Campus } from '@campus/site';
import type { Log, MetricsRegistry, PartHealth } from '@campus/runtime';

export interface LiveFeed extends EventEmitter<{ readings: [Reading[]]; statuses: [StatusChange[]] }> {}

export interface DashboardDeps {
  campuses: readonly Campus[];
  store: () => ReadingStore | undefined;
  live: LiveFeed;
  /** health of every part in this process, by name */
  health: () => Record<string, PartHealth>;
  /** repair tickets; absent when detection is not running in reach of this dashboard */
  tickets: () => TicketService | undefined;
  /**
   * Bearer key for ticket actions until staff login arrives (issue 4): CAMPUS_DATA_DIR/secrets/api.key.
   * Without it, nothing can change a ticket.
   */
  apiKey?: string;
  metrics: MetricsRegistry;
  log: Log;
  now?: () => number;
}
