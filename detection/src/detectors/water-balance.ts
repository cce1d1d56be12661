/**
 * The water balance of a campus main meter (usage: campus): the main's register less the registers
 * of the site's other water meters (its sub-meters: dormitory floors, the canteen, …) is the
 * unmetered use (unmetered buildings, irrigation, the pipes between buildings). It is far smoother
 * than the main, whose peaks are mostly the sub-meters' peaks, so a burst inside the main's peaks
 * stands out of it (water-burst.ts judges its floor as it judges a meter's).
 *
 * The registers (the engine's, after rollover and replacement handling) are taken at one time, the
 * oldest of the sub-meters' newest readings, each interpolated between its two newest readings and
 * the main's between its samples. The residual is not known, and its samples start again, when a
 * sub-meter has never reported, is silent or stale (a gateway outage), or its newest reading was a
 * register fault: then nothing is judged, nothing guessed.
 *
 * A sub-meter that stops counting while it keeps reporting (a stuck impeller, a dead pulse input)
 * would make its use look unmetered: a frozen dormitory floor in its evening peak lifted the
 * residual by its 3-4 m³/h and raised a 疑似爆管 on the main. So each sub-meter's register is
 * followed (`SubTrack`): one whose register has not moved for `frozenMin` right after it passed at
 * least `frozenFlowM3h` over the `minutes` before (use of that size does not stop dead: a floor's
 * peak tails off, and at 0.5 m³/h a 1-litre register moves at every 30-second reading) is frozen,
 * and the residual is not known until it moves again; a sub-meter whose register read a fault is
 * left out likewise until it has read plausibly for `trustMin` (a jump the register step later
 * takes as a new level, a +500 m³ encoder jump, is no proof that the meter counts again). Nothing
 * is raised from the balance for either: the sub-meter's own detectors (register.fault, and
 * water.register_stuck after a day) say what is wrong with it.
 */
import type { SiteRegisters } from '../detector.ts';
import { MIN, pushVolume, type VolumeSamples } from '../helpers.ts';

/** What the balance follows of a sub-meter: its register's recent samples, when it last moved, and whether it is trusted. */
export interface SubTrack {
  /** (ts, volume) about once a minute, the last `minutes` + `frozenMin` */
  samples: VolumeSamples;
  /** the register when it last moved, and when */
  volume: number;
  movedAt: number;
  /** frozen: stopped dead after real use, until it moves again */
  frozen: boolean;
  /** the newest register fault: not trusted until `trustMin` after it */
  faultAt: number | null;
}

export interface BalanceParams {
  minutes: number;
  frozenMin: number;
  frozenFlowM3h: number;
  trustMin: number;
}

/**
 * The sub-meters' tracks after their newest readings, and whether every sub-meter is trusted now
 * (none frozen, none faulty within `trustMin`).
 */
export function trackSubs(tracks: Readonly<Record<string, SubTrack>>, site: SiteRegisters, mainId: string, p: BalanceParams): { tracks: Record<string, SubTrack>; trusted: boolean; untrusted: string[] } {
  const next: Record<string, SubTrack> = {};
  const untrusted: string[] = [];
  for (const d of subMeters(site, mainId)) {
    const r = site.latest.get(d.id);
    const was = tracks[d.id];
    if (!r) continue;
    let t: SubTrack = was ?? { samples: [], volume: r.volume ?? 0, movedAt: r.ts, frozen: false, faultAt: null };
    if (r.volume === null) t = { ...t, faultAt: r.ts };
    else {
      const moved = !was || r.volume > t.volume + 1e-9;
      const samples = pushVolume(t.samples, r.ts, r.volume, (p.minutes + p.frozenMin) * MIN);
      t = { ...t, samples, volume: moved ? r.volume : t.volume, movedAt: moved ? r.ts : t.movedAt, frozen: moved ? false : t.frozen };
      if (!moved && !t.frozen && r.ts - t.movedAt >= p.frozenMin * MIN) {
        // the use over the `minutes` before it stopped
        const end = samples.find(([ts]) => ts >= t.movedAt);
        const start = samples.find(([ts]) => ts >= t.movedAt - p.minutes * MIN);
        const flow = end && start && end[0] - start[0] >= (p.minutes / 2) * MIN ? ((end[1] - start[1]) / (end[0] - start[0])) * 3600_000 : 0;
        if (flow >= p.frozenFlowM3h) t = { ...t, frozen: true };
      }
    }
    next[d.id] = t;
    if (t.frozen || (t.faultAt !== null && r.ts - t.faultAt < p.trustMin * MIN)) untrusted.push(d.id);
  }
  return { tracks: next, trusted: untrusted.length === 0, untrusted };
}

/** The water meters a campus main carries: every other water meter of its site that is not a main itself. */
export const subMeters = (site: SiteRegisters, mainId: string) => site.devices.filter((d) => d.kind === 'water_meter' && d.id !== mainId && d.usage !== 'campus');

/** The register at `t` on the line through two readings. */
function at(t: number, a: readonly [number, number], b: readonly [number, number]): number {
  return b[0] === a[0] ? b[1] : a[1] + ((b[1] - a[1]) * (t - a[0])) / (b[0] - a[0]);
}

/**
 * The residual's volume samples with a new one, or null when the residual is not known at `ts`
 * (a sub-meter missing, faulty, or its newest reading `staleMs` away from the main's).
 * `main`: the main's register samples, the newest at `ts`.
 */
export function residualSamples(samples: VolumeSamples, main: VolumeSamples, mainId: string, site: SiteRegisters, staleMs: number, keepMs: number): VolumeSamples | null {
  const newest = main.at(-1);
  const subs = subMeters(site, mainId);
  if (!newest || subs.length === 0) return null;
  const ts = newest[0];
  const latest = subs.map((d) => site.latest.get(d.id));
  let t = ts;
  for (const r of latest) {
    if (!r || r.volume === null || !r.prev || Math.abs(ts - r.ts) > staleMs) return null;
    t = Math.min(t, r.ts);
  }
  let i = main.length - 1;
  while (i > 0 && main[i - 1]![0] >= t) i--;
  const mainAt = i > 0 ? at(t, main[i - 1]!, main[i]!) : main[0]![0] === t ? main[0]![1] : null;
  if (mainAt === null) return null;
  let sub = 0;
  for (const r of latest) sub += at(t, [r!.prev!.ts, r!.prev!.volume], [r!.ts, r!.volume!]);
  return pushVolume(samples, t, mainAt - sub, keepMs, 20_000);
}
