/**
 * One channel's dispatcher: which events it carries, quiet hours, the rate limit with its
 * summary, a bounded queue, retries with backoff, and the channel's state.
 *
 * - Quiet hours (site time): events are held; critical ones go out unless `critical: hold`.
 * - Rate limit: at most `max` messages (summaries included) in any `perMinutes`. Past it, events
 *   are held, and when the window has room again ONE summary replaces them all ("另有 47 张报修单").
 *   One held event alone goes out as itself.
 * - Delivery: one message at a time, in order; a failed attempt is retried after 1, 2, 4 … s
 *   (jittered, at most 60 s) unless the error is final (a wrong key). The channel is "down" from
 *   its first failed attempt until a message gets through; nothing of this reaches the caller.
 */
import { SEVERITY_RANK, type Severity, type TicketEvent, type TicketEventType, type Trade } from '@campus/contract';
import { describeError, type Log } from '@campus/runtime';
import { SendError } from './http.ts';
import { eventMessage, summaryMessage, type HoldReason, type Message, type MessageContext } from './message.ts';

export interface Sender {
  send(message: Message): Promise<void>;
  close?(): void;
}

/** Time, injectable so that tests run quiet hours, windows and backoff in no time. */
export interface Clock {
  now(): number;
  /** runs `fn` after `ms`; returns a cancel function */
  later(fn: () => void, ms: number): () => void;
  /** waits `ms`, or less when `signal` aborts */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

export const realClock: Clock = {
  now: Date.now,
  later(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref();
    return () => clearTimeout(t);
  },
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      const t = setTimeout(done, ms);
      t.unref();
      signal.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
    }),
};

export interface RetryPolicy {
  /** attempts after the first */
  retries: number;
  baseMs: number;
  maxMs: number;
}
export const DEFAULT_RETRY: RetryPolicy = { retries: 5, baseMs: 1000, maxMs: 60_000 };

export interface ChannelSpec {
  /** the channel's id (with the site when a process serves several) */
  key: string;
  type: 'wecom' | 'dingtalk' | 'email' | 'webhook';
  trades: ReadonlySet<Trade>;
  events: ReadonlySet<TicketEventType>;
  minSeverity: Severity;
  /** minutes of the site's day */
  quietHours?: { from: number; to: number; critical: 'send' | 'hold'; text: string };
  rateLimit: { max: number; windowMs: number };
}

/** What the notifier counts for /metrics. */
export interface Meter {
  sent(kind: Message['kind']): void;
  attemptFailed(): void;
  failed(): void;
  held(reason: HoldReason): void;
  dropped(n: number): void;
}

export interface ChannelStatus {
  id: string;
  type: ChannelSpec['type'];
  trades: Trade[];
  /** idle: nothing sent yet; down: the last attempt failed */
  state: 'idle' | 'ok' | 'down';
  /** down: since the first failed attempt of this run of failures */
  downSince?: string;
  lastError?: string;
  lastErrorAt?: string;
  lastSentAt?: string;
  sent: number;
  failed: number;
  /** events waiting for the end of quiet hours or of the rate window (one summary) */
  held: number;
  /** messages waiting to be sent (or retried) */
  queued: number;
}

export interface DispatcherOptions {
  context: MessageContext;
  /** minute of the day in the site's time zone */
  minuteOfDay: (ts: number) => number;
  clock: Clock;
  retry: RetryPolicy;
  random: () => number;
  maxQueue: number;
  meter: Meter;
  log: Log;
  /** set when the channel cannot work as configured (an unset environment variable) */
  problem?: string;
}

/** Held events kept for the summary; beyond this they are only counted. */
const HELD_KEPT = 500;
const MINUTE = 60_000;

export class ChannelDispatcher {
  private readonly queue: Message[] = [];
  private readonly sentAt: number[] = [];
  private held: { events: TicketEvent[]; total: number; reasons: Set<HoldReason>; bypassQuiet: boolean } = ChannelDispatcher.nothingHeld();
  private cancelFlush?: () => void;
  private working?: Promise<void>;
  private readonly abort = new AbortController();
  private stopping = false;
  private state: ChannelStatus['state'] = 'idle';
  private downSince?: number;
  private lastError?: { at: number; message: string };
  private lastSentAt?: number;
  private sent = 0;
  private failed = 0;

  constructor(
    readonly spec: ChannelSpec,
    private readonly sender: Sender,
    private readonly opts: DispatcherOptions,
  ) {
    if (opts.problem) this.failure(opts.problem);
  }

  private static nothingHeld() {
    return { events: [] as TicketEvent[], total: 0, reasons: new Set<HoldReason>(), bypassQuiet: true };
  }

  /** An assignment goes out whatever the ticket's severity: a named worker has a job to do (minSeverity is for alarms). */
  accepts(e: TicketEvent): boolean {
    const { trades, events, minSeverity } = this.spec;
    return trades.has(e.ticket.trade) && events.has(e.type) && (e.type === 'assigned' || SEVERITY_RANK[e.ticket.severity] >= SEVERITY_RANK[minSeverity]);
  }

  /** Takes an event this channel accepts: sends it, or holds it for a summary. */
  offer(e: TicketEvent): void {
    if (this.stopping) return;
    this.flushIfDue();
    const now = this.opts.clock.now();
    const bypass = this.bypassesQuiet(e);
    if (this.inQuietHours(now) && !bypass) return this.hold(e, 'quiet_hours', bypass);
    if (!this.hasSlot(now)) return this.hold(e, 'rate_limit', bypass);
    this.enqueue(eventMessage(e, this.opts.context), now);
  }

  private bypassesQuiet(e: TicketEvent): boolean {
    return e.ticket.severity === 'critical' && this.spec.quietHours?.critical !== 'hold';
  }

  private inQuietHours(ts: number): boolean {
    const q = this.spec.quietHours;
    if (!q) return false;
    const m = this.opts.minuteOfDay(ts);
    return q.from < q.to ? m >= q.from && m < q.to : m >= q.from || m < q.to;
  }

  /** the end of the quiet hours that `ts` is in */
  private quietEndsAt(ts: number): number {
    const q = this.spec.quietHours!;
    const minutes = (q.to - this.opts.minuteOfDay(ts) + 1440) % 1440;
    return ts - (ts % MINUTE) + minutes * MINUTE;
  }

  private hasSlot(now: number): boolean {
    while (this.sentAt.length && this.sentAt[0]! <= now - this.spec.rateLimit.windowMs) this.sentAt.shift();
    return this.sentAt.length < this.spec.rateLimit.max;
  }

  private hold(e: TicketEvent, reason: HoldReason, bypass: boolean): void {
    const h = this.held;
    if (h.events.length < HELD_KEPT) h.events.push(e);
    h.total++;
    h.reasons.add(reason);
    h.bypassQuiet &&= bypass;
    this.opts.meter.held(reason);
    this.scheduleFlush();
  }

  /** When the held events may go out: the rate window has room, and (unless all may) the quiet hours are over. */
  private flushAt(now: number): number {
    let at = now;
    if (!this.hasSlot(now)) at = this.sentAt[0]! + this.spec.rateLimit.windowMs;
    if (!this.held.bypassQuiet && this.inQuietHours(at)) at = this.quietEndsAt(at);
    return at;
  }

  private flushIfDue(): void {
    const h = this.held;
    const now = this.opts.clock.now();
    if (!h.total || this.flushAt(now) > now) return;
    this.held = ChannelDispatcher.nothingHeld();
    this.cancelFlush?.();
    this.cancelFlush = undefined;
    const quiet = this.spec.quietHours?.text;
    this.enqueue(h.total === 1 ? eventMessage(h.events[0]!, this.opts.context) : summaryMessage(h.events, h.total, h.reasons, quiet, this.opts.context), now);
  }

  private scheduleFlush(): void {
    if (this.cancelFlush || this.stopping || !this.held.total) return;
    const now = this.opts.clock.now();
    this.cancelFlush = this.opts.clock.later(
      () => {
        this.cancelFlush = undefined;
        this.flushIfDue();
        this.scheduleFlush();
      },
      Math.max(0, this.flushAt(now) - now),
    );
  }

  private enqueue(m: Message, now: number): void {
    this.sentAt.push(now);
    this.queue.push(m);
    // a channel down for long: the oldest news goes first
    if (this.queue.length > this.opts.maxQueue) {
      this.queue.splice(1, this.queue.length - this.opts.maxQueue);
      this.opts.meter.dropped(1);
    }
    this.working ??= this.work().finally(() => (this.working = undefined));
  }

  private async work(): Promise<void> {
    while (this.queue.length && !this.abort.signal.aborted) {
      await this.deliver(this.queue[0]!);
      this.queue.shift();
    }
  }

  private async deliver(m: Message): Promise<void> {
    const { retry, clock, log } = this.opts;
    for (let attempt = 0; ; attempt++) {
      try {
        await this.sender.send(m);
        if (this.state === 'down') log.info(`${this.spec.key}: delivering again`);
        this.state = 'ok';
        this.downSince = undefined;
        this.lastSentAt = clock.now();
        this.sent++;
        this.opts.meter.sent(m.kind);
        return;
      } catch (err) {
        const e = err instanceof SendError ? err : new SendError(describeError(err), true, { cause: err });
        this.opts.meter.attemptFailed();
        if (this.state !== 'down') log.warn(`${this.spec.key}: cannot send: ${e.message}`);
        this.failure(e.message);
        if (!e.retryable || attempt >= retry.retries || this.abort.signal.aborted) {
          this.failed++;
          this.opts.meter.failed();
          log.warn(`${this.spec.key}: gave up on "${m.title}" after ${attempt + 1} attempt${attempt ? 's' : ''}: ${e.message}`);
          return;
        }
        const backoff = Math.min(retry.maxMs, retry.baseMs * 2 ** attempt) * (0.8 + 0.4 * this.opts.random());
        await clock.sleep(backoff, this.abort.signal);
        if (this.abort.signal.aborted) return; // stopping: counted as dropped
      }
    }
  }

  private failure(message: string): void {
    const now = this.opts.clock.now();
    if (this.state !== 'down') this.downSince = now;
    this.state = 'down';
    this.lastError = { at: now, message };
  }

  status(): ChannelStatus {
    const iso = (ts: number | undefined) => (ts === undefined ? undefined : new Date(ts).toISOString());
    return {
      id: this.spec.key,
      type: this.spec.type,
      trades: [...this.spec.trades],
      state: this.state,
      downSince: iso(this.downSince),
      lastError: this.lastError?.message,
      lastErrorAt: iso(this.lastError?.at),
      lastSentAt: iso(this.lastSentAt),
      sent: this.sent,
      failed: this.failed,
      held: this.held.total,
      queued: this.queue.length,
    };
  }

  /** Gives what is being sent `graceMs` to get through, then gives up on the rest. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    this.cancelFlush?.();
    if (this.held.total) this.opts.log.warn(`${this.spec.key}: stopping with ${this.held.total} held notifications not sent`);
    if (this.working) await Promise.race([this.working, new Promise((r) => setTimeout(r, graceMs).unref())]);
    this.abort.abort();
    const left = this.held.total + this.queue.length;
    if (left) this.opts.meter.dropped(left);
    this.sender.close?.();
  }
}
