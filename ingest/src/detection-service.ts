/**
 * Detection in the running system: committed readings and statuses go through the engine, findings
 * become tickets, a clock tick finds silence and escalates, and the engine's learned state is saved
 * every minute and on stop (so night-flow references survive a restart).
 */
import type { Campus } from '@campus/site';
import { openDb, type Db, type Log, type MetricsRegistry, type PartHealth } from '@campus/runtime';
import type { Reading, TicketEvent } from '@campus/contract';
import { DetectionEngine, DetectorStateStore, type EngineSnapshot } from '@campus/detection';
import { TicketService, TicketStore } from '@campus/repairs';
import type { StatusChange } from '@campus/store';

const SNAPSHOT_ID = '*';
const SNAPSHOT_KEY = 'engine';

export interface DetectionOptions {
  /** campus.db: a connection the caller keeps open and closes, or a file this service opens and closes */
  db: Db | string;
  /** the repairs desk findings go to; by default one on `db` */
  tickets?: TicketService;
  campuses: readonly Campus[];
  log: Log;
  metrics: MetricsRegistry;
  tickMs?: number;
  saveMs?: number;
  now?: () => number;
  /** ticket events (opened, upgraded, escalated, resolved) and the ticket's campus, for the notifications; must not throw */
  onTicketEvent?: (event: TicketEvent, campus: Campus | undefined) => void;
}

export class DetectionService {
  readonly engine: DetectionEngine;
  readonly tickets: TicketService;
  private readonly db: Db;
  private readonly ownDb: boolean;
  private readonly state: DetectorStateStore;
  private timers: NodeJS.Timeout[] = [];
  private lastError?: string;

  constructor(private readonly opts: DetectionOptions) {
    this.engine = new DetectionEngine(opts.campuses);
    this.ownDb = typeof opts.db === 'string';
    this.db = typeof opts.db === 'string' ? openDb(opts.db) : opts.db;
    this.state = new DetectorStateStore(this.db);
    this.tickets = opts.tickets ?? new TicketService(new TicketStore(this.db), opts.campuses, opts.log);
    const notify = opts.onTicketEvent;
    if (notify)
      this.tickets.on('event', (e) =>
        notify(
          e,
          opts.campuses.find((c) => c.site.id === e.ticket.siteId),
        ),
      );
    const saved = this.state.load().find((s) => s.deviceId === SNAPSHOT_ID && s.detector === SNAPSHOT_KEY);
    if (saved) this.engine.restore(saved.state as EngineSnapshot);
    const findings = opts.metrics.counter('campus_detector_findings_total', 'detector findings (raised or cleared)');
    this.onFindings = (list) => {
      if (!list.length) return;
      for (const f of list) findings.inc({ condition: f.condition, active: String(f.active) });
      try {
        this.tickets.apply(list);
        this.lastError = undefined;
      } catch (err) {
        this.lastError = (err as Error).message;
        opts.log.error(`cannot write tickets: ${this.lastError}`);
      }
    };
    opts.metrics.gauge('campus_tickets_open', 'tickets not yet resolved, by severity', () =>
      this.tickets.countOpen().map(({ severity, n }) => [{ severity }, n]),
    );
  }

  private readonly onFindings: (list: ReturnType<DetectionEngine['tick']>) => void;

  readings(readings: Reading[]): void {
    const sorted = readings.length > 1 ? [...readings].sort((a, b) => a.ts - b.ts) : readings;
    for (const r of sorted) this.onFindings(this.engine.onReading(r));
  }

  statuses(statuses: StatusChange[]): void {
    for (const s of statuses) this.engine.status(s.deviceId, s.status, s.at);
  }

  start(): void {
    const now = this.opts.now ?? Date.now;
    this.timers.push(
      setInterval(() => {
        this.onFindings(this.engine.tick(now()));
        try {
          this.tickets.escalate(now());
        } catch (err) {
          this.opts.log.error(`escalation failed: ${(err as Error).message}`);
        }
      }, this.opts.tickMs ?? 15_000),
      setInterval(() => this.save(), this.opts.saveMs ?? 60_000),
    );
    for (const t of this.timers) t.unref();
  }

  save(): void {
    try {
      this.state.save([{ deviceId: SNAPSHOT_ID, detector: SNAPSHOT_KEY, state: this.engine.snapshot() }], Date.now());
    } catch (err) {
      this.opts.log.error(`cannot save detector state: ${(err as Error).message}`);
    }
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.save();
    if (this.ownDb && this.db.open) this.db.close();
  }

  health(): PartHealth {
    return this.lastError ? { ok: false, detail: `tickets: ${this.lastError}` } : { ok: true };
  }
}
