/**
 * Burst: the 5-minute average flow far above what this meter ever does at this hour — above
 * `factor` x its learned peak for the hour of day (and at least `minExcessM3h` above it) for
 * `minutes`, or above the pipe's rated flow at any time. Critical.
 * The learned peak is the highest 5-minute flow seen in that hour on the last 14 days of the same
 * kind: school days are judged by school days, so the first morning after a vacation is compared
 * with the last school days before it, not with the empty vacation (which made every meter of a
 * school "burst" on its first day back); other days by the highest of both kinds.
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { averageFlow, fmt, keepLast, localDate, MIN, pushVolume, type VolumeSamples } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';

/** `since`: the run above the learned peak or the rated flow (saved as `overSince` by older versions) */
interface State extends Sustained {
  samples: VolumeSamples;
  /** per hour of day: the peak 5-min flow of each of the last school days [date, flow] */
  peaks: [string, number][][];
  /** the same for weekends, holidays and vacation days (absent in state saved by older versions) */
  otherPeaks?: [string, number][][];
}

const hours = (): [string, number][][] => Array.from({ length: 24 }, () => []);

export const waterBurst = defineDetector({
  key: 'water.burst',
  kinds: ['water_meter'],
  params: { factor: 3, minExcessM3h: 2, minutes: 10, windowMin: 5, learnDays: 14, minDays: 3 },
  init: (): State => ({ samples: [], peaks: hours(), otherPeaks: hours(), ...initSustained() }),
  restore: (s, saved) => (typeof saved.overSince === 'number' && s.since === null ? { ...s, since: saved.overSince } : s),

  onReading(state, obs, ctx) {
    const { params: p, calendar, device } = ctx;
    const ts = obs.reading.ts;
    if (obs.volumeM3 === undefined) return found(state);
    const samples = pushVolume(state.samples, ts, obs.volumeM3, 20 * MIN, 20_000);
    const flow = averageFlow(samples, p.windowMin * MIN);
    if (flow === null) return found({ ...state, samples, lastTs: ts });

    const local = calendar.local(ts);
    const hour = Math.floor(local.minuteOfDay / 60);
    const schoolDay = calendar.isSchoolDay(local.date);
    const school = state.peaks[hour]!;
    const other = (state.otherPeaks ?? hours())[hour]!;
    const history = schoolDay ? school : other;
    const peakOf = (h: [string, number][]) => {
      const learned = h.filter(([d]) => d !== local.date);
      return learned.length >= p.minDays ? Math.max(...learned.map(([, f]) => f)) : null;
    };
    const schoolPeak = peakOf(school);
    const otherPeak = peakOf(other);
    const peak = schoolDay ? schoolPeak : otherPeak === null ? schoolPeak : Math.max(otherPeak, schoolPeak ?? 0);
    const threshold = peak === null ? null : Math.max(peak * p.factor, peak + p.minExcessM3h);
    const rated = device.ratedFlowM3h;
    const overRated = rated !== undefined && flow > rated;
    const overLearned = threshold !== null && flow > threshold;
    const h = sustain(state, ts, { active: overLearned || overRated, holdMs: p.minutes * MIN, urgent: overRated });
    const s: State = { ...state, ...h.state, samples };

    // learn from normal flow only
    if (!overLearned && !overRated) {
      const today = history.at(-1);
      const updated =
        today?.[0] === local.date
          ? [...history.slice(0, -1), [local.date, Math.max(today[1], flow)] as [string, number]]
          : [...history, [local.date, flow] as [string, number]];
      const kept = (all: [string, number][][]) => all.map((h, i) => (i === hour ? keepLast(updated, p.learnDays) : h));
      if (schoolDay) s.peaks = kept(s.peaks);
      else s.otherPeaks = kept(s.otherPeaks ?? hours());
    }

    const lasted = h.heldMs;
    if (h.raise) {
      const why = overRated
        ? `超过管道额定流量 ${fmt(rated!, 1)} m³/h`
        : `为该时段历史峰值 ${fmt(peak!, 2)} m³/h 的 ${fmt(flow / peak!, 1)} 倍，已持续 ${Math.round(lasted / MIN)} 分钟`;
      return found(
        s,
        raise(this.key, device.id, ts, {
          severity: 'critical',
          trade: 'plumber',
          category: 'repair',
          title: '流量骤增（疑似爆管）',
          summary: `5分钟平均流量 ${fmt(flow, 2)} m³/h，${why}`,
          evidence: [{ ts, value: Math.round(flow * 100) / 100, unit: 'm³/h' }],
          details: { flowM3h: flow, learnedPeakM3h: peak, ratedFlowM3h: rated ?? null, date: localDate(calendar, ts) },
        }),
      );
    }
    if (h.clear) return found(s, clear(this.key, device.id, ts, `流量已回落至 ${fmt(flow, 2)} m³/h`));
    return found(s);
  },
});
