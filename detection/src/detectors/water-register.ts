/**
 * Register health: a register that has not moved for `stuckHours` on a meter that normally
 * registers use every day is stuck (or the meter is blocked). minor. Not on a holiday or in a
 * vacation: an empty building uses no water, and a dormitory's urinals may be turned off. Rollovers and replacements
 * are handled upstream (register.ts) and noted in the details.
 */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { fmt, HOUR, keepLast } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';
import { dayKind } from './water-memory.ts';

/** The hold is the register's own: stuck since `movedAt`, so the helper raises at once and clears when it moves. */
interface State extends Sustained {
  lastVolume: number | null;
  movedAt: number | null;
  dayStart: { date: string; volume: number } | null;
  /** use of recent days, m³ */
  daily: number[];
}

export const waterRegister = defineDetector({
  key: 'water.register_stuck',
  kinds: ['water_meter'],
  params: { stuckHours: 24, minDailyM3: 0.05 },
  init: (): State => ({ lastVolume: null, movedAt: null, dayStart: null, daily: [], ...initSustained() }),

  onReading(state, obs, ctx) {
    const { params: p, calendar, device } = ctx;
    const ts = obs.reading.ts;
    const v = obs.volumeM3;
    if (v === undefined) return found(state);
    const s: State = { ...state, lastVolume: v };
    if (state.lastVolume === null || v > state.lastVolume + 1e-9) s.movedAt = ts;
    const date = calendar.local(ts).date;
    if (!state.dayStart) s.dayStart = { date, volume: v };
    else if (state.dayStart.date !== date) {
      s.daily = keepLast([...state.daily, v - state.dayStart.volume], 7);
      s.dayStart = { date, volume: v };
    }
    const usedDays = s.daily.filter((d) => d >= p.minDailyM3);
    const normallyUsed = usedDays.length >= 3; // at least 3 of the last 7 days registered use
    const usual = usedDays.length ? Math.min(...usedDays) : 0;
    const stuckFor = s.movedAt === null ? 0 : ts - s.movedAt;
    const away = ['holiday', 'vacation'].includes(dayKind(calendar, date));
    const h = sustain(s, ts, { active: normallyUsed && !away && stuckFor >= p.stuckHours * HOUR, holdMs: 0, gone: stuckFor === 0 });
    Object.assign(s, h.state);
    if (h.raise) {
      return found(
        s,
        raise(this.key, device.id, ts, {
          severity: 'minor',
          trade: 'plumber',
          category: 'repair',
          title: '水表读数停滞',
          summary: `读数 ${fmt(v, 3)} m³ 已 ${Math.floor(stuckFor / HOUR)} 小时未变化，而该表平日每天用水约 ${fmt(usual, 2)} m³ 以上：水表可能卡死或管路关闭`,
          details: { since: s.movedAt },
        }),
      );
    }
    if (h.clear) return found(s, clear(this.key, device.id, ts, '水表读数恢复变化'));
    return found(s);
  },
});
