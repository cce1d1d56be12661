/**
 * A small InfluxDB 1.x HTTP client: line-protocol writes and InfluxQL queries (docs/developing/platform-facts.md: Debian's
 * influxd 1.6.7 has /write and /query, no /api/v2). Errors come in two kinds, because they are
 * handled in two ways: `InfluxUnavailable` (network, timeout, 5xx: retry later, spool meanwhile)
 * and `InfluxRejected` (4xx: these points will never be accepted; keep them aside).
 */
import { CampusError } from '@campus/runtime';

export class InfluxUnavailable extends CampusError {
  readonly unavailable = true;
  constructor(message: string, options?: { cause?: unknown }) {
    super('CAMPUS_ERR_STORE', message, options);
  }
}

export class InfluxRejected extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface InfluxSeries {
  name: string;
  tags?: Record<string, string>;
  columns: string[];
  values: unknown[][];
}

export class InfluxHttp {
  constructor(
    readonly url: string,
    readonly db: string,
    private readonly timeoutMs = 10_000,
  ) {}

  private async request(path: string, init: RequestInit): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(new URL(path, this.url), { ...init, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (err) {
      const why =
        (err as Error).name === 'TimeoutError'
          ? `no answer within ${this.timeoutMs} ms`
          : ((err as { cause?: Error }).cause?.message ?? (err as Error).message);
      throw new InfluxUnavailable(`InfluxDB at ${this.url} is unreachable: ${why}`, { cause: err });
    }
    if (res.status >= 500) {
      throw new InfluxUnavailable(`InfluxDB at ${this.url} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    }
    return res;
  }

  /** Writes line-protocol points (ms precision) into a retention policy. */
  async write(lines: string[], rp: string): Promise<void> {
    if (!lines.length) return;
    const q = new URLSearchParams({ db: this.db, rp, precision: 'ms' });
    const res = await this.request(`/write?${q}`, { method: 'POST', body: lines.join('\n') });
    if (res.status === 204) return;
    const body = await res.text();
    let message = body;
    try {
      message = (JSON.parse(body) as { error?: string }).error ?? body;
    } catch {
      // not JSON: keep the text
    }
    throw new InfluxRejected(res.status, message.slice(0, 500));
  }

  /** Runs InfluxQL; returns the series of each statement. Times come back as epoch ms. */
  async query(statements: string, options: { write?: boolean } = {}): Promise<InfluxSeries[][]> {
    const q = new URLSearchParams({ db: this.db, epoch: 'ms', q: statements });
    // reads may go as GET; statements that change things must be POSTed
    const res = options.write ? await this.request('/query', { method: 'POST', body: q }) : await this.request(`/query?${q}`, { method: 'GET' });
    const text = await res.text();
    let body: { results?: { series?: InfluxSeries[]; error?: string }[]; error?: string };
    try {
      body = JSON.parse(text);
    } catch {
      throw new InfluxRejected(res.status, `InfluxDB answered ${res.status} with: ${text.slice(0, 200)}`);
    }
    if (body.error) throw new InfluxRejected(res.status, body.error);
    const failed = body.results?.find((r) => r.error);
    if (failed) throw new InfluxRejected(res.status, failed.error!);
    return (body.results ?? []).map((r) => r.series ?? []);
  }

  /** Resolves when the server answers /ping. */
  async ping(): Promise<void> {
    const res = await this.request('/ping', { method: 'GET' });
    if (res.status !== 204) throw new InfluxUnavailable(`InfluxDB at ${this.url} answered /ping with ${res.status}`);
  }
}

/** Escapes a measurement name, tag key or tag value for line protocol. */
export function escapeKey(s: string): string {
  return s.replace(/[,= \\]/g, (c) => `\\${c}`);
}

/** A string literal in InfluxQL (single-quoted). */
export function quoteString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** An identifier in InfluxQL (double-quoted). */
export function quoteIdent(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** A field value in line protocol: floats as they are, integers need an `i`, strings are quoted. */
export function fieldValue(v: number | boolean | string, integer = false): string {
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'string') return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
  return integer ? `${Math.trunc(v)}i` : String(v);
}
