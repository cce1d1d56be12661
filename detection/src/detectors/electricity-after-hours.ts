/**
 * A classroom drawing power when nobody should be there (人走灯灭): outside the timetable (with
 * `graceMin` either side) on school days, or at any time on other days, above `kw` for
 * `minutes`. An energy-waste notice for the class, not a repair ticket.
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { duration, fmt, MIN } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';

export const electricityAfterHours = defineDetector({
  key: 'electricity.after_hours',
  kinds: ['electric_meter'],
  appliesTo: (d) => Boolean(d.class) || d.usage === 'classroom',
  params: { kw: 0.3, minutes: 30, graceMin: 30 },
  init: (): Sustained => initSustained(),

  onReading(state, obs, ctx) {
    const { params: p, device, calendar } = ctx;
    const power = obs.reading.values.powerKW;
    if (power === undefined) return found(state);
    const ts = obs.reading.ts;
    const local = calendar.local(ts);
    const hours = calendar.schoolHours;
    const inHours = calendar.isSchoolDay(local.date) && local.minuteOfDay >= hours.start - p.graceMin && local.minuteOfDay < hours.end + p.graceMin;
    const h = sustain(state, ts, { active: !inHours && power > p.kw, holdMs: p.minutes * MIN });
    if (h.clear) return found(h.state, clear(this.key, device.id, ts, `已断电（${fmt(power, 2)} kW）`));
    if (!h.raise) return found(h.state);
    return found(
      h.state,
      raise(this.key, device.id, ts, {
        severity: 'info',
        trade: 'office',
        category: 'notice',
        title: '教室无人时用电（人走灯灭）',
        summary: `非上课时间用电 ${fmt(power, 2)} kW，已持续 ${duration(h.heldMs)}：请班级关闭灯光、空调和一体机`,
        evidence: [{ ts, value: power, unit: 'kW' }],
        details: { classId: device.class ?? null },
      }),
    );
  },
});
