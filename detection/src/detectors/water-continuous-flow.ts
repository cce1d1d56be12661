/**
 * Continuous flow: water never stopped for 2 h outside the hours the space is in use (Flume's
 * leak definition, as in rtlamr2mqtt PR #403). "Stopped" means the 10-minute average flow came
 * down to the meter's own quiet level. Auto-flushing urinals never stop, and a main meter that
 * carries a dormitory's toilets never does either, so the quiet level is learned as the highest
 * "floor" of each night: the lowest 10-minute flow over any `hours` outside the hours of use
 * (what this rule would have measured), and the level is the lowest of those over the past week,
 * times `quietFactor`, plus `zeroM3h` (25 L/h). A leak lifts the floor by its whole size.
 * A week's lowest takes in a leak that grows slowly, so the level is the lower of it and a low
 * percentile (`longQuantile`) of the last `longDays` nights: a long memory (domain rules, "A
 * reference must not learn the leak"). Nights are learned by their kind (school nights, term
 * weekends, holidays, vacations): the first night back is not judged by the vacation.
 * minor after `hours`, major after `majorHours`.
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { averageFlow, duration, fmt, HOUR, keepLast, knownWaterUse, localDate, MIN, pushVolume, type VolumeSamples } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';
import { dayKind, keepFlow, quantile } from './water-memory.ts';

/** `since`: flowing above the quiet level since (saved as `flowingSince` by older versions, `raised` as the severity) */
interface State extends Sustained {
  samples: VolumeSamples;
  /** outside the hours of use: (ts, 10-minute flow) about a minute apart, over the last `hours` */
  recent?: [number, number][];
  /** each of the last `keepDays` days: the highest floor (lowest flow over `hours`) outside the hours of use */
  nightFloors?: { date: string; flow: number }[];
}

export const waterContinuousFlow = defineDetector({
  key: 'water.continuous_flow',
  kinds: ['water_meter'],
  params: { hours: 2, majorHours: 6, windowMin: 10, quietFactor: 1.5, zeroM3h: 0.025, learnDays: 7, longDays: 60, longQuantile: 0.1, minLongDays: 14, keepDays: 100 },
  init: (): State => ({ samples: [], recent: [], nightFloors: [], ...initSustained() }),
  restore: (s, saved) => ({
    ...s,
    raised: Boolean(s.raised),
    since: typeof saved.flowingSince === 'number' && s.since === null ? saved.flowingSince : s.since,
  }),

  onReading(state, obs, ctx) {
    const { params: p, calendar, device } = ctx;
    const ts = obs.reading.ts;
    if (obs.volumeM3 === undefined) return found(state);
    const samples = pushVolume(state.samples, ts, obs.volumeM3, (p.windowMin + 5) * 60_000);
    const flow = averageFlow(samples, p.windowMin * 60_000);
    const s: State = { ...state, samples };
    if (flow === null) return found(s);
    // during the hours the space is in use, flow says nothing: pause (neither count nor clear)
    if (knownWaterUse(device, calendar, ts)) return found(state.recent?.length ? { ...s, recent: [] } : s);

    // learn the quiet level: the highest floor of each night
    const last = state.recent?.at(-1);
    const fresh = !last || ts - last[0] > 15 * MIN;
    let recent = fresh ? [] : state.recent!;
    if (!last || ts - last[0] >= 55_000) recent = [...recent, [ts, keepFlow(flow)] as [number, number]];
    while (recent.length > 1 && ts - recent[1]![0] >= p.hours * HOUR) recent = recent.slice(1);
    s.recent = recent;
    const date = localDate(calendar, ts);
    const floors = state.nightFloors ?? [];
    if (!state.raised && ts - recent[0]![0] >= p.hours * HOUR - 2 * MIN) {
      const floor = keepFlow(Math.min(...recent.map(([, f]) => f)));
      const today = floors.at(-1);
      if (today?.date !== date) s.nightFloors = keepLast([...floors, { date, flow: floor }], p.keepDays);
      else if (floor > today.flow) s.nightFloors = [...floors.slice(0, -1), { date, flow: floor }];
    }
    const kind = dayKind(calendar, date);
    const pastDays = (s.nightFloors ?? []).filter((d) => d.date !== date && dayKind(calendar, d.date) === kind);
    if (pastDays.length === 0) return found(s); // nothing learned yet for this kind of night
    const week = Math.min(...pastDays.slice(-p.learnDays).map((d) => d.flow));
    const long = pastDays.slice(-p.longDays);
    const longLow = long.length >= p.minLongDays ? quantile(long.map((d) => d.flow), p.longQuantile)! : week;
    const quiet = Math.min(week, longLow) * p.quietFactor + p.zeroM3h;

    const h = sustain(s, ts, { active: flow > quiet, holdMs: p.hours * HOUR });
    const next: State = { ...s, ...h.state };
    if (h.clear) return found(next, clear(this.key, device.id, ts, `用水已停（${p.windowMin}分钟平均 ${fmt(flow * 1000, 0)} L/h）`));
    if (!h.raise) return found(next);
    const lasted = h.heldMs;
    const severity = lasted >= p.majorHours * HOUR ? 'major' : 'minor';
    return found(
      next,
      raise(this.key, device.id, ts, {
        severity,
        trade: 'plumber',
        category: 'repair',
        title: '持续用水不停（疑似漏水或长流水）',
        summary: `非用水时段已连续用水 ${duration(lasted)}，当前 ${p.windowMin} 分钟平均 ${fmt(flow * 1000, 0)} L/h（该表安静时约 ${fmt(((quiet - p.zeroM3h) / p.quietFactor) * 1000, 0)} L/h）`,
        evidence: [{ ts, value: Math.round(flow * 1000), unit: 'L/h' }],
        details: { flowM3h: flow, quietM3h: quiet, since: h.state.since },
      }),
    );
  },
});
