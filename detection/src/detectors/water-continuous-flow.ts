/**
 * Continuous flow: water never stopped for 2 h outside the hours the space is in use (Flume's
 * leak definition, as in rtlamr2mqtt PR #403). "Stopped" means the 30-minute average flow came
 * down to the meter's own quiet level: the lowest 30-minute flow it showed in the past week
 * (auto-flushing urinals never stop), times `quietFactor`, plus `zeroM3h`.
 * minor after `hours`, major after `majorHours`.
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { averageFlow, duration, fmt, HOUR, keepLast, knownWaterUse, localDate, pushVolume, type VolumeSamples } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';

/** `since`: flowing above the quiet level since (saved as `flowingSince` by older versions, `raised` as the severity) */
interface State extends Sustained {
  samples: VolumeSamples;
  /** lowest 30-min average flow of each of the last days */
  dailyQuiet: { date: string; flow: number }[];
}

export const waterContinuousFlow = defineDetector({
  key: 'water.continuous_flow',
  kinds: ['water_meter'],
  params: { hours: 2, majorHours: 6, windowMin: 30, quietFactor: 1.5, zeroM3h: 0.005, learnDays: 7 },
  init: (): State => ({ samples: [], dailyQuiet: [], ...initSustained() }),
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

    // learn the quiet level: the lowest window flow of each day
    const date = localDate(calendar, ts);
    const today = s.dailyQuiet.at(-1);
    if (today?.date === date) {
      if (flow < today.flow) s.dailyQuiet = [...s.dailyQuiet.slice(0, -1), { date, flow }];
    } else s.dailyQuiet = keepLast([...s.dailyQuiet, { date, flow }], p.learnDays + 1);
    const pastDays = s.dailyQuiet.slice(0, -1);
    if (pastDays.length === 0) return found(s); // nothing learned yet
    const quiet = Math.min(...pastDays.map((d) => d.flow)) * p.quietFactor + p.zeroM3h;

    // during the hours the space is in use, flow says nothing: pause (neither count nor clear)
    if (knownWaterUse(device, calendar, ts)) return found(s);
    const h = sustain(s, ts, { active: flow > quiet, holdMs: p.hours * HOUR });
    const next: State = { ...s, ...h.state };
    if (h.clear) return found(next, clear(this.key, device.id, ts, `用水已停（30分钟平均 ${fmt(flow * 1000, 0)} L/h）`));
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
        summary: `非用水时段已连续用水 ${duration(lasted)}，当前 30 分钟平均 ${fmt(flow * 1000, 0)} L/h（该表安静时约 ${fmt(((quiet - p.zeroM3h) / p.quietFactor) * 1000, 0)} L/h）`,
        evidence: [{ ts, value: Math.round(flow * 1000), unit: 'L/h' }],
        details: { flowM3h: flow, quietM3h: quiet, since: h.state.since },
      }),
    );
  },
});
