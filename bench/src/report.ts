/**
 * How benchmarks report: every figure beside a peer (another implementation, or the machine's own
 * limit measured in the same run), the ratio as the goal reads it, and whether the goal is met.
 * Results print to the console and, for a full run, go to bench/RESULTS.md with the machine.
 */
import { cpus, totalmem, type } from 'node:os';
import { execSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export interface Figure {
  label: string;
  value: number;
  /** 'ms', 'msg/s', 'MB', 's', ... */
  unit: string;
}

export interface BenchResult {
  /** "1. Sustained ingest", "3. Competition query", ... */
  scenario: string;
  name: string;
  detail: string;
  ours: Figure;
  peer: Figure;
  /** which way is good: the ratio printed is ours/peer for 'higher', peer/ours for 'lower' */
  better: 'higher' | 'lower';
  goal?: { text: string; met: boolean };
  /** further lines (percentiles, side figures) */
  notes?: string[];
}

/** What a scenario gets: quick mode (the whole bench under 2 minutes), and a progress line printer. */
export interface ScenarioOptions {
  quick: boolean;
  log: (line: string) => void;
}

export type Scenario = (opts: ScenarioOptions) => Promise<BenchResult[]>;

export const median = (xs: number[]): number => percentile(xs, 50);

/** The p-th percentile (nearest rank) of a list. */
export function percentile(xs: number[], p: number): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export const fmtMs = (ms: number): string => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`);

export function fmt(f: Figure): string {
  if (f.unit === 'ms') return fmtMs(f.value);
  const digits = Math.abs(f.value) >= 100 ? 0 : Math.abs(f.value) >= 10 ? 1 : 2;
  return `${f.value.toLocaleString('en', { maximumFractionDigits: digits })} ${f.unit}`;
}

/** The ratio as the goal reads it (> 1: ours is better). */
export const ratioOf = (r: BenchResult): number => (r.better === 'higher' ? r.ours.value / r.peer.value : r.peer.value / r.ours.value);

export function printResult(r: BenchResult): void {
  const ratio = ratioOf(r);
  console.log(`\n${r.scenario} — ${r.name}\n  ${r.detail}`);
  console.log(`  ours: ${r.ours.label.padEnd(52)} ${fmt(r.ours).padStart(12)}`);
  console.log(`  peer: ${r.peer.label.padEnd(52)} ${fmt(r.peer).padStart(12)}`);
  console.log(
    `  ratio: ${ratio.toFixed(2)}x ${ratio >= 1 ? 'better' : 'worse'} than the peer${r.goal ? `   goal: ${r.goal.text} — ${r.goal.met ? 'met' : 'NOT met'}` : ''}`,
  );
  for (const n of r.notes ?? []) console.log(`  ${n}`);
}

/** This machine, for the record. */
export function machine(): string {
  const cpu = cpus();
  let os = type();
  try {
    os = execSync('. /etc/os-release && echo "$PRETTY_NAME"', { shell: '/bin/sh' }).toString().trim() || os;
  } catch {
    // keep the kernel name
  }
  return `${os}, ${cpu.length} × ${cpu[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`;
}

/**
 * Writes RESULTS.md. `merge`: keep the rows and details of the scenarios not run this time from the
 * file as it is (a re-run of one scenario does not cost the whole hour), and say so in the header.
 */
export function writeResults(file: string, results: BenchResult[], command: string, startedAt: Date, seconds: number, merge = false): void {
  const rows = results.map((r) => {
    const ratio = ratioOf(r);
    return `| ${r.scenario} | ${r.name} | ${r.ours.label}: **${fmt(r.ours)}** | ${r.peer.label}: ${fmt(r.peer)} | ${ratio.toFixed(2)}× ${ratio >= 1 ? 'better' : 'worse'} | ${r.goal ? `${r.goal.text}: ${r.goal.met ? '**met**' : '**not met**'}` : '—'} |`;
  });
  const details = results.map((r) => `- **${r.scenario} — ${r.name}.** ${r.detail}${r.notes?.length ? ' ' + r.notes.join('; ') : ''}`);
  let written = `Written by \`${command}\` on ${startedAt.toISOString()} (${Math.round(seconds)} s).`;
  if (merge && existsSync(file)) {
    const ran = new Set(results.map((r) => r.scenario));
    const old = readFileSync(file, 'utf8').split('\n');
    const keep = (line: string, re: RegExp) => {
      const m = re.exec(line);
      return m !== null && !ran.has(m[1]!);
    };
    rows.unshift(...old.filter((l) => keep(l, /^\| ([^|]+?) \| /) && !/^\| (scenario|---)/.test(l)));
    details.unshift(...old.filter((l) => keep(l, /^- \*\*(.+?) — /)));
    const earlier = old.filter((l) => l.startsWith('Written by ') || l.startsWith('Re-run of '));
    // scenarios in their order: 1..5, then the extras
    const rank = (line: string) => {
      const m = /^(?:\| |- \*\*)(\d+)\./.exec(line);
      return m ? Number(m[1]) : 100;
    };
    rows.sort((a, b) => rank(a) - rank(b));
    details.sort((a, b) => rank(a) - rank(b));
    written = [...earlier, `Re-run of ${[...ran].join(', ')} by \`${command}\` on ${startedAt.toISOString()} (${Math.round(seconds)} s).`].join('\n');
  }
  const text = `# Benchmark results

${written}
Machine: ${machine()}.

Every figure stands next to a peer run in the same session on the same machine: absolute times on
a shared machine are noise, ratios travel. "better" reads the ratio the way the goal does.

| scenario | figure | ours | peer | ratio | goal |
|---|---|---|---|---|---|
${rows.join('\n')}

${details.join('\n')}
`;
  writeFileSync(file, text);
}
