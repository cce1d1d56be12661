/**
 * Resident memory and CPU time of processes, read from /proc (Linux): what a footprint figure adds
 * up. RSS is VmRSS of /proc/<pid>/status; CPU time is utime + stime of /proc/<pid>/stat (this
 * process's own threads, not its children's), in clock ticks of `getconf CLK_TCK`.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

let ticks: number | undefined;
/** Clock ticks per second of /proc/<pid>/stat (100 on every Linux this runs on; asked once). */
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

export interface ProcSample {
  pid: number;
  /** resident set size, bytes */
  rssBytes: number;
  /** user + system CPU time so far, seconds */
  cpuSeconds: number;
}

/** One process now, or undefined when it is gone. */
export function procSample(pid: number): ProcSample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const rssKB = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name (field 2) may hold spaces and parentheses: count fields after the last ')'
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): utime is field 14, stime field 15
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    return { pid, rssBytes: rssKB * 1024, cpuSeconds: (utime + stime) / clockTicks() };
  } catch {
    return undefined;
  }
}

export interface GroupSample {
  /** sum over the processes still running */
  rssBytes: number;
  cpuSeconds: number;
  /** per process, in the order asked */
  each: (ProcSample | undefined)[];
}

/** Several processes together (a broker and its subscriber, say). */
export function groupSample(pids: readonly number[]): GroupSample {
  const each = pids.map(procSample);
  return {
    rssBytes: each.reduce((n, s) => n + (s?.rssBytes ?? 0), 0),
    cpuSeconds: each.reduce((n, s) => n + (s?.cpuSeconds ?? 0), 0),
    each,
  };
}

export const MB = (bytes: number): number => bytes / 1048576;

/**
 * The least-squares slope of y over x (units of y per unit of x): how fast a series grows through
 * its noise (a garbage collector's saw-tooth), which the difference of two samples does not show.
 */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i]!;
    my += ys[i]!;
  }
  mx /= n;
  my /= n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i]! - mx) * (ys[i]! - my);
    den += (xs[i]! - mx) ** 2;
  }
  return den ? num / den : 0;
}
