/**
 * The notifier: ticket events in, messages out on the channels of the ticket's trade (README
 * "Notifications"). `notify()` only queues and never throws, so a channel that is down never
 * blocks ingest or ticketing. One notifier listens to each TicketService, and each event is
 * emitted by the one TicketService where it happened (opened, upgraded and escalated in the
 * ingest process, resolved where staff act): each is sent once, in one process or split.
 */
import { hostname } from 'node:os';
import type { TicketEvent } from '@campus/contract';
import { describeError, type Knobs, type Log, type MetricsRegistry, type Service } from '@campus/runtime';
import type { Campus } from '@campus/site';
import { channelConfigs, channelSetup, type Env } from './config.ts';
import type { ContactOf } from './message.ts';
import { ChannelDispatcher, DEFAULT_RETRY, realClock, type ChannelStatus, type Clock, type Meter, type RetryPolicy } from './dispatcher.ts';

export interface NotifierOptions {
  campuses: readonly Campus[];
  /** CAMPUS_PUBLIC_URL: where the links in messages point */
  publicUrl: string;
  /** the knob was not set: publicUrl is a guess, said in the log */
  publicUrlGuessed?: boolean;
  log: Log;
  metrics: MetricsRegistry;
  /** where `{ env: NAME }` secrets are read (process.env) */
  env?: Env;
  clock?: Clock;
  random?: () => number;
  retry?: Partial<RetryPolicy>;
  /** messages waiting per channel at most (a channel down for long); default 100 */
  maxQueue?: number;
  /** how long stop() waits for messages being sent; default 5 s */
  stopGraceMs?: number;
  /** who a staff username is: assignments and overdue tickets name the worker and mention them (the staff accounts) */
  contactOf?: ContactOf;
}

/** What /api/health shows under `notifications`. */
export interface NotifyStatus {
  /** ids of the channels whose last attempt failed */
  down: string[];
  channels: ChannelStatus[];
}

export class Notifier implements Service {
  readonly name = 'notify';
  private readonly channels: { siteId: string; dispatcher: ChannelDispatcher }[] = [];
  private readonly sites = new Set<string>();
  private readonly meters: (key: string) => Meter;

  constructor(private readonly opts: NotifierOptions) {
    const { metrics } = opts;
    const sent = metrics.counter('campus_notify_sent_total', 'notification messages delivered, by channel and kind (event, summary)');
    const attempts = metrics.counter('campus_notify_attempt_errors_total', 'failed delivery attempts (each retry counts)');
    const failed = metrics.counter('campus_notify_failed_total', 'notification messages given up after their retries');
    const held = metrics.counter('campus_notify_held_total', 'ticket events held for a summary, by reason (rate_limit, quiet_hours)');
    const dropped = metrics.counter('campus_notify_dropped_total', 'notification messages dropped (queue full, or still waiting at shutdown)');
    this.meters = (key) => {
      const channel = { channel: key };
      return {
        sent: (kind) => sent.inc({ ...channel, kind }),
        attemptFailed: () => attempts.inc(channel),
        failed: () => failed.inc(channel),
        held: (reason) => held.inc({ ...channel, reason }),
        dropped: (n) => dropped.inc(channel, n),
      };
    };
    for (const campus of opts.campuses) this.addCampus(campus);
    metrics.gauge('campus_notify_channel_up', 'notification channel working (0: its last attempt failed)', () =>
      this.status().channels.map((c) => [{ channel: c.id, type: c.type }, c.state === 'down' ? 0 : 1]),
    );
    metrics.gauge('campus_notify_queue', 'notification messages waiting per channel (held events not counted)', () =>
      this.status().channels.map((c) => [{ channel: c.id }, c.queued]),
    );
  }

  /** Takes up a campus's channels (once per site): at construction, or when an ingest worker starts reading a site. */
  addCampus(campus: Campus): void {
    if (this.sites.has(campus.site.id)) return;
    this.sites.add(campus.site.id);
    const { opts } = this;
    const context = {
      site: { id: campus.site.id, name: campus.site.name },
      baseUrl: opts.publicUrl.replace(/\/+$/, ''),
      localTime: (ts: number) => new Date(ts + campus.calendar.offsetAt(ts)).toISOString().slice(0, 16).replace('T', ' '),
      contactOf: opts.contactOf,
    };
    // channel ids are the campus file's, with the site in front when this process serves several
    const single = opts.campuses.length === 1 && opts.campuses[0] === campus;
    for (const { config, at } of channelConfigs(campus)) {
      const key = single ? config.id : `${campus.site.id}/${config.id}`;
      const setup = channelSetup(config, at, key, opts.env ?? process.env);
      const dispatcher = new ChannelDispatcher(setup.spec, setup.sender, {
        context,
        minuteOfDay: (ts) => campus.calendar.local(ts).minuteOfDay,
        clock: opts.clock ?? realClock,
        retry: { ...DEFAULT_RETRY, ...opts.retry },
        random: opts.random ?? Math.random,
        maxQueue: opts.maxQueue ?? 100,
        meter: this.meters(key),
        log: opts.log,
        problem: setup.problem,
      });
      this.channels.push({ siteId: campus.site.id, dispatcher });
      if (setup.problem) opts.log.error(`notification channel ${key} cannot send: ${setup.problem}`);
    }
  }

  /**
   * Routes a ticket event to its channels (`campus`: the ticket's, when this notifier may not know
   * it yet). Never throws: the caller is ingest or a staff action.
   */
  notify(event: TicketEvent, campus?: Campus): void {
    try {
      if (campus) this.addCampus(campus);
      // a ticket of no ledger device has no site of its own: the first campus's
      const siteId = event.ticket.siteId || this.channels[0]?.siteId;
      for (const { siteId: site, dispatcher } of this.channels) if (site === siteId && dispatcher.accepts(event)) dispatcher.offer(event);
    } catch (err) {
      this.opts.log.error(`cannot queue the notification of ticket ${event.ticket?.id}: ${describeError(err)}`);
    }
  }

  status(): NotifyStatus {
    const channels = this.channels.map((c) => c.dispatcher.status());
    return { down: channels.filter((c) => c.state === 'down').map((c) => c.id), channels };
  }

  async start(): Promise<void> {
    const { log } = this.opts;
    if (!this.channels.length)
      return log.info(`no notification channels ${this.opts.campuses.length ? 'in the campus file' : 'yet (they come with the sites read here)'}`);
    const list = this.channels.map(({ dispatcher: { spec } }) => `${spec.key} (${spec.type}: ${[...spec.trades].join(', ')})`);
    log.info(`notification channels: ${list.join('; ')}; links to ${this.opts.publicUrl}`);
    if (this.opts.publicUrlGuessed) log.warn(`CAMPUS_PUBLIC_URL is not set: links in notifications point to ${this.opts.publicUrl}`);
  }

  async stop(): Promise<void> {
    await Promise.all(this.channels.map((c) => c.dispatcher.stop(this.opts.stopGraceMs ?? 5000)));
  }
}

/** The notifier's settings from the knobs: CAMPUS_PUBLIC_URL, else this machine's name and the dashboard's port. */
export function notifierSettings(knobs: Pick<Knobs, 'publicUrl' | 'httpPort'>): Pick<NotifierOptions, 'publicUrl' | 'publicUrlGuessed'> {
  return { publicUrl: knobs.publicUrl ?? `http://${hostname()}:${knobs.httpPort}`, publicUrlGuessed: !knobs.publicUrl };
}
