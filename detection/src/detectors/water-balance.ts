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
 */
import type { SiteRegisters } from '../detector.ts';
import { pushVolume, type VolumeSamples } from '../helpers.ts';

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
