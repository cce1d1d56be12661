/** What the dashboard needs from the rest of the system; built by the runner, or by a test. */
import type { EventEmitter } from 'node:events';
import type { Reading } from '@campus/contract';
import type { ReadingStore, StatusChange } from '@campus/store';
import type { RepairsDesk } from '@campus/repairs';
import type { NotifyStatus } from '@campus/notify';
import type { Campus } from '@campus/site';
import type { Db, Log, MetricsRegistry, PartHealth } from '@campus/runtime';
import type { Auth } from './auth/auth.ts';
import type { PhotoStore } from './photo-store.ts';
import type { ReportThrottleOptions } from './security/report-throttle.ts';
import type { SecurityOptions } from './security/options.ts';

export interface LiveFeed extends EventEmitter<{ readings: [Reading[]]; statuses: [StatusChange[]] }> {}

export interface DashboardDeps {
  campuses: readonly Campus[];
  store: () => ReadingStore | undefined;
  live: LiveFeed;
  /** health of every part in this process, by name */
  health: () => Record<string, PartHealth>;
  /** repair tickets; absent when detection is not running in reach of this dashboard */
  tickets: () => RepairsDesk | undefined;
  /** the notification channels of this process, shown on /api/health (README "Notifications") */
  notifications?: () => NotifyStatus;
  /** who is asking: staff sessions, display tokens, the API key */
  auth: Auth;
  /** campus.db, the connection this process shares (competitions, the term report); see campus-db.ts */
  db?: () => Db | undefined;
  /** CAMPUS_DATA_DIR: where campus.db is when no connection is handed over */
  dataDir?: string;
  metrics: MetricsRegistry;
  /** photos of repair requests; default: CAMPUS_DATA_DIR/photos within CAMPUS_PHOTO_QUOTA_MB (photo-store.ts) */
  photos?: PhotoStore;
  /** the public report form's rate limits (security/report-throttle.ts) */
  reportLimits?: Partial<ReportThrottleOptions>;
  /** limits against a hostile network (login attempts, body size, slow clients, proxies); defaults in security/options.ts */
  security?: Partial<SecurityOptions>;
  log: Log;
  now?: () => number;
}
