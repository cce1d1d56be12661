/**
 * A classroom drawing power when nobody should be there (人走灯灭): outside the timetable (with
 * `graceMin` either side) on school days, or at any time on other days, above `kw` for
 * `minutes`. An energy-waste notice for the class, not a repair ticket.
 */
import type { ElectricMeterValues } from '@campus/contract';
import type { Detector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { duration, fmt, MIN, since } from '../helpers.ts';

interface State {
  since: number | null;
  lastTs: number | null;
  raised: boolean;
}

export const electricityAfterHours: Detector<State> = {
  key: 'electricity.after_hours',
  kinds: ['electric_meter'],
  appliesTo: (d) => Boolean(d.class) || d.usage === 'classroom',
  defaults: { kw: 0.3, minutes: 30, graceMin: 30 },
  init: () => ({ since: null, lastTs: null, raised: false }),

  onReading(state, obs, ctx) {
    const { params: p, device, calendar } = ctx;
    const power = (obs.reading.values as ElectricMeterValues).powerKW;
    if (power === undefined) return found(state);
    const ts = obs.reading.ts;
    const local = calendar.local(ts);
    const hours = calendar.schoolHours;
    const inHours = calendar.isSchoolDay(local.date) && local.minuteOfDay >= hours.start - p.graceMin! && local.minuteOfDay < hours.end + p.graceMin!;
    const s: State = { since: since(state.since, !inHours && power > p.kw!, ts, state.lastTs), lastTs: ts, raised: state.raised };
    if (s.since === null) {
      if (state.raised) {
        s.raised = false;
        return found(s, clear(this.key, device.id, ts, `已断电（${fmt(power, 2)} kW）`));
      }
      return found(s);
    }
    if (ts - s.since < p.minutes! * MIN) return found(s);
    s.raised = true;
    return found(
      s,
      raise(this.key, device.id, ts, {
        severity: 'info',
        trade: 'office',
        category: 'notice',
        title: '教室无人时用电（人走灯灭）',
        summary: `非上课时间用电 ${fmt(power, 2)} kW，已持续 ${duration(ts - s.since)}：请班级关闭灯光、空调和一体机`,
        evidence: [{ ts, value: power, unit: 'kW' }],
        details: { classId: device.class ?? null },
      }),
    );
  },
};
