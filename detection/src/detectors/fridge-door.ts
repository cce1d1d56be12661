/** Door left open: a canteen notice after 2 min (info), a ticket after 10 min (major). */
import { defineDetector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { duration, MIN } from '../helpers.ts';
import { initSustained, sustain, type Sustained } from '../sustained.ts';

export const fridgeDoor = defineDetector({
  key: 'fridge.door_open',
  kinds: ['fridge'],
  params: { noticeMin: 2, ticketMin: 10 },
  init: (): Sustained => initSustained(),

  onReading(state, obs, ctx) {
    const { params: p, device } = ctx;
    const open = obs.reading.values.doorOpen;
    if (open === undefined) return found(state);
    const ts = obs.reading.ts;
    const h = sustain(state, ts, { active: open, holdMs: p.noticeMin * MIN, maxGapMs: 5 * MIN });
    if (h.clear) return found(h.state, clear(this.key, device.id, ts, '柜门已关闭'));
    if (!h.raise) return found(h.state);
    const ticket = h.heldMs >= p.ticketMin * MIN;
    return found(
      h.state,
      raise(this.key, device.id, ts, {
        severity: ticket ? 'major' : 'info',
        trade: 'canteen',
        category: ticket ? 'repair' : 'notice',
        title: '冷柜门未关',
        summary: `柜门已打开 ${duration(h.heldMs)}${ticket ? '：请立即关门并检查门封' : '，请随手关门'}`,
        details: { since: h.state.since },
      }),
    );
  },
});
