/**
 * Night flow (leak suspicion). The minimum night flow (MNF) is the lowest average flow over a
 * `windowMin`-minute window between 02:00 and 04:00 local time, from the register (not the
 * instantaneous flow, which a 1-litre register resolution makes useless at night). Each night's
 * MNF is compared with the lowest MNF of the previous 10 nights without an alarm:
 *   alarm when MNF - ref > ratio * ref  and  MNF - ref > floor
 * (LeakDB algorithmMNF.m, KIOS-Research/LeakDB). Learning the reference, instead of expecting
 * zero, is what lets auto-flushing urinals run all night without an alarm.
 *
 * A reference of 10 nights takes in a leak that grows slowly (BattLeDIM's incipient leaks), so the
 * detector also keeps a long memory and looks for a rising trend (domain rules, "A reference must
 * not learn the leak"):
 * - the reference is the lower of the 10-night minimum and a low percentile (`longQuantile`) of the
 *   last `longNights` clean nights: about 12 weeks of term;
 * - a trend: the Theil–Sen slope of the last `trendNights` nights' MNF, rising by `trendRiseM3h`
 *   over them with Mann–Kendall z above `trendZ`, and tonight that much above the reference.
 * Nights are learned and judged by their kind (school nights; term weekends, when boarders are up
 * later; holidays, when a few stay; vacations, when the urinals may be turned off): the
 * first night back is not compared with the vacation, nor a Saturday night with a school night. A
 * kind with fewer than `minNights` nights learned is judged against the highest of the last nights
 * of any kind (a leak on the first holiday night is still seen), without a trend.
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { fmt, keepLast, localDate } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';
import { dayKind, dayNumber, keepFlow, quantile, theilSen, type Trend } from './water-memory.ts';

interface Night {
  date: string;
  mnf: number;
  alarm: boolean;
}
/** judged once a night: `raised` is whether the last night judged alarmed (saved as `alarming` by older versions) */
interface State extends Sustained {
  date: string | null;
  /** (ts, volume) samples inside tonight's window, about one a minute */
  samples: [number, number][];
  evaluated: string | null;
  /** the last `keepNights` nights (30 in older versions) */
  history: Night[];
}

const L = (m3h: number | null) => fmt((m3h ?? 0) * 1000, 0);

export const waterNightFlow = defineDetector({
  key: 'water.night_flow',
  kinds: ['water_meter'],
  params: {
    startHour: 2,
    endHour: 4,
    windowMin: 30,
    ratio: 0.5,
    floorM3h: 0.02,
    referenceNights: 10,
    minNights: 3,
    longNights: 60,
    longQuantile: 0.1,
    minLongNights: 14,
    trendNights: 21,
    minTrendNights: 7,
    trendRiseM3h: 0.015,
    trendZ: 2.33,
    keepNights: 100,
  },
  init: (): State => ({ date: null, samples: [], evaluated: null, history: [], ...initSustained() }),
  restore: (s, saved) => (typeof saved.alarming === 'boolean' && !('raised' in saved) ? { ...s, raised: saved.alarming } : s),

  onReading(state, obs, ctx) {
    const { params: p, calendar } = ctx;
    const ts = obs.reading.ts;
    if (obs.volumeM3 === undefined) return found(state);
    const local = calendar.local(ts);
    const inWindow = local.minuteOfDay >= p.startHour * 60 && local.minuteOfDay < p.endHour * 60;
    let s = state;
    if (inWindow) {
      if (s.date !== local.date) s = { ...s, date: local.date, samples: [] };
      const last = s.samples.at(-1);
      if (!last || ts - last[0] >= 55_000) s = { ...s, samples: [...s.samples, [ts, obs.volumeM3]] };
      return found(s);
    }
    // after the window: evaluate tonight once
    if (s.date !== localDate(calendar, ts) || s.evaluated === s.date || local.minuteOfDay < p.endHour * 60) return found(s);
    const mnf = minimumWindowFlow(s.samples, p.windowMin * 60_000);
    const night = s.date!;
    s = { ...s, evaluated: night, samples: [] };
    if (mnf === null) return found(s);

    const j = judgeNight(s.history, night, mnf, (date) => dayKind(calendar, date), p);
    // before any three nights are learned nothing is judged: it neither raises nor clears, and is
    // learned as clean only when no alarm is open
    const entry = { date: night, mnf: keepFlow(mnf), alarm: j.judged ? j.alarm : s.raised };
    const history = keepLast([...s.history, entry], p.keepNights);
    if (!j.judged) return found({ ...s, history });
    const h = sustain(s, ts, { active: j.alarm, holdMs: 0 });
    s = { ...s, ...h.state, history };
    const summary = j.trendAlarm
      ? `夜间最小流量连续 ${j.trend!.nights} 夜上升，由 ${L(j.trend!.from)} 升至 ${L(mnf)} L/h（每夜约 +${fmt(j.trend!.slope * 1000, 1)} L/h），长期参考值 ${L(j.ref)} L/h`
      : `夜间最小流量 ${L(mnf)} L/h，参考值 ${L(j.ref)} L/h（${j.refFrom}），超出 ${L(j.excess)} L/h`;
    if (h.raise) {
      return found(
        s,
        raise(this.key, ctx.device.id, ts, {
          severity: 'major',
          trade: 'plumber',
          category: 'repair',
          title: '夜间流量异常（疑似漏水）',
          summary,
          evidence: [{ ts: state.samples[0]?.[0] ?? ts, value: Math.round(mnf * 1000), unit: 'L/h' }],
          details: {
            mnfM3h: mnf,
            referenceM3h: j.ref,
            shortReferenceM3h: j.shortRef,
            longReferenceM3h: j.longRef,
            rule: j.trendAlarm && !j.levelAlarm ? 'trend' : 'level',
            trend: j.trend && { nights: j.trend.nights, slopeM3hPerNight: j.trend.slope, fromM3h: j.trend.from, toM3h: j.trend.to, z: j.trend.z },
            night,
          },
        }),
      );
    }
    if (h.clear) return found(s, clear(this.key, ctx.device.id, ts, `夜间流量恢复正常：${summary}`));
    return found(s);
  },
});

interface NightParams {
  ratio: number;
  floorM3h: number;
  referenceNights: number;
  minNights: number;
  longNights: number;
  longQuantile: number;
  minLongNights: number;
  trendNights: number;
  minTrendNights: number;
  trendRiseM3h: number;
  trendZ: number;
}

/** Tonight's MNF against the nights before it of the same kind: the level rule and the trend rule. */
export function judgeNight(history: readonly Night[], night: string, mnf: number, kindOf: (date: string) => string, p: NightParams) {
  const kind = kindOf(night);
  const cleanAll = history.filter((n) => !n.alarm);
  const sameKind = cleanAll.filter((n) => kindOf(n.date) === kind);
  // a kind not learned yet (the first holiday, the first weekends): the highest of the last nights
  // of any kind is its reference, no trend
  const learned = sameKind.length >= p.minNights;
  const clean = learned ? sameKind : [];
  const recent = (learned ? sameKind : cleanAll).slice(-p.referenceNights);
  const shortRef = recent.length ? (learned ? Math.min : Math.max)(...recent.map((n) => n.mnf)) : null;
  const long = clean.slice(-p.longNights);
  const longRef = long.length >= p.minLongNights ? quantile(long.map((n) => n.mnf), p.longQuantile) : null;
  const ref = shortRef === null ? null : Math.min(shortRef, longRef ?? shortRef);
  const excess = ref === null ? 0 : mnf - ref;
  const levelAlarm = ref !== null && recent.length >= p.minNights && excess > p.ratio * ref && excess > p.floorM3h;

  const series = [...clean.slice(-(p.trendNights - 1)), { date: night, mnf }];
  let trend: (Trend & { nights: number }) | null = null;
  if (series.length >= p.minTrendNights) {
    const t = theilSen(series.map((n) => [dayNumber(n.date), n.mnf] as const));
    if (t) trend = { ...t, nights: series.length };
  }
  const trendAlarm =
    ref !== null && trend !== null && trend.to - trend.from >= p.trendRiseM3h && trend.z >= p.trendZ && mnf - ref >= p.trendRiseM3h;
  const refFrom = longRef !== null && longRef < (shortRef ?? Infinity) ? `近${long.length}晚低位` : learned ? `前${recent.length}晚最低` : `前${recent.length}晚最高`;
  return { judged: recent.length >= p.minNights, alarm: levelAlarm || trendAlarm, levelAlarm, trendAlarm, ref, shortRef, longRef, excess, trend, refFrom };
}

/** Lowest average flow (m³/h) over any window of `windowMs` in the samples; null if the night is too short. */
export function minimumWindowFlow(samples: [number, number][], windowMs: number): number | null {
  let best: number | null = null;
  let j = 0;
  for (let i = 0; i < samples.length; i++) {
    while (j < samples.length && samples[j]![0] - samples[i]![0] < windowMs) j++;
    if (j >= samples.length) break;
    const [t0, v0] = samples[i]!;
    const [t1, v1] = samples[j]!;
    const flow = ((v1 - v0) / (t1 - t0)) * 3600_000;
    if (best === null || flow < best) best = flow;
  }
  return best;
}
