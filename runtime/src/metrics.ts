/**
 * Prometheus text exposition, without a dependency: counters and gauges with labels, one registry
 * per process. Names follow Prometheus practice (`campus_readings_stored_total`).
 */
type Labels = Record<string, string>;

const labelKey = (labels: Labels): string =>
  Object.keys(labels)
    .sort()
    .map((k) => `${k}="${String(labels[k]).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',');

export class Counter {
  private readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}
  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + by);
  }
  get(labels: Labels = {}): number {
    return this.values.get(labelKey(labels)) ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.values.size === 0) lines.push(`${this.name} 0`);
    for (const [key, v] of this.values) lines.push(`${this.name}${key ? `{${key}}` : ''} ${v}`);
    return lines.join('\n');
  }
}

export class Gauge {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly collect: () => number | [Labels, number][],
    private readonly type: 'gauge' | 'counter' = 'gauge',
  ) {}
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    const value = this.collect();
    if (typeof value === 'number') lines.push(`${this.name} ${value}`);
    else for (const [labels, v] of value) lines.push(`${this.name}{${labelKey(labels)}} ${v}`);
    return lines.join('\n');
  }
}

export class MetricsRegistry {
  private readonly metrics = new Map<string, Counter | Gauge>();

  counter(name: string, help: string): Counter {
    const existing = this.metrics.get(name);
    if (existing instanceof Counter) return existing;
    const c = new Counter(name, help);
    this.metrics.set(name, c);
    return c;
  }

  /** Registers (or replaces) a gauge read at scrape time. */
  gauge(name: string, help: string, collect: () => number | [Labels, number][]): void {
    this.metrics.set(name, new Gauge(name, help, collect));
  }

  /** Registers (or replaces) a counter kept elsewhere and read at scrape time: it only ever goes up (name it `..._total`). */
  counterFrom(name: string, help: string, collect: () => number | [Labels, number][]): void {
    this.metrics.set(name, new Gauge(name, help, collect, 'counter'));
  }

  render(): string {
    return [...this.metrics.values()].map((m) => m.render()).join('\n') + '\n';
  }
}
