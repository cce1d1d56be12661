/**
 * Night flow (leak suspicion). The minimum night flow (MNF) is the lowest average flow over a
 * `windowMin`-minute window between 02:00 and 04:00 local time, from the register (not the
 * instantaneous flow, which a 1-litre register resolution makes useless at night). Each night's
 * MNF is compared with the lowest MNF of the previous 10 nights without an alarm:
 *   alarm when MNF - ref > ratio * ref  and  MNF - ref > floor
 * (LeakDB algorithmMNF.m, KIOS-Research/LeakDB). Learning the reference, instead of expecting
 * zero, is what lets auto-flushing urinals run all night without an alarm.
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { fmt, keepLast, localDate } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';

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
  history: Night[];
}

export const waterNightFlow = defineDetector({
  key: 'water.night_flow',
  kinds: ['water_meter'],
  params: { startHour: 2, endHour: 4, windowMin: 30, ratio: 0.5, floorM3h: 0.02, referenceNights: 10, minNights: 3 },
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
    s = { ...s, evaluated: s.date };
    if (mnf === null) return found(s);

    const clean = s.history.filter((n) => !n.alarm).slice(-p.referenceNights);
    const ref = clean.length ? Math.min(...clean.map((n) => n.mnf)) : null;
    const excess = ref === null ? 0 : mnf - ref;
    const alarm = ref !== null && clean.length >= p.minNights && excess > p.ratio * ref && excess > p.floorM3h;
    const h = sustain(s, ts, { active: alarm, holdMs: 0 });
    s = { ...s, ...h.state, history: keepLast([...s.history, { date: s.date!, mnf, alarm }], 30) };
    const evidence = s.samples.map(([t]) => t);
    const summary = `夜间最小流量 ${fmt(mnf * 1000, 0)} L/h，参考值 ${fmt((ref ?? 0) * 1000, 0)} L/h（前${clean.length}晚最低），超出 ${fmt(excess * 1000, 0)} L/h`;
    if (h.raise) {
      return found(
        s,
        raise(this.key, ctx.device.id, ts, {
          severity: 'major',
          trade: 'plumber',
          category: 'repair',
          title: '夜间流量异常（疑似漏水）',
          summary,
          evidence: [{ ts: evidence[0] ?? ts, value: Math.round(mnf * 1000), unit: 'L/h' }],
          details: { mnfM3h: mnf, referenceM3h: ref, night: s.date },
        }),
      );
    }
    if (h.clear) return found(s, clear(this.key, ctx.device.id, ts, `夜间流量恢复正常：${summary}`));
    return found(s);
  },
});

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
