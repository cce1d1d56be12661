/** Door left open: a canteen notice after 2 min (info), a ticket after 10 min (major). */
import type { FridgeValues } from '@campus/contract';
import type { Detector } from '../detector.ts';
import { clear, found, raise } from '@campus/repairs';
import { duration, MIN, since } from '../helpers.ts';

interface State {
  since: number | null;
  lastTs: number | null;
  raised: boolean;
}

export const fridgeDoor: Detector<State> = {
  key: 'fridge.door_open',
  kinds: ['fridge'],
  defaults: { noticeMin: 2, ticketMin: 10 },
  init: () => ({ since: null, lastTs: null, raised: false }),

  onReading(state, obs, ctx) {
    const { params: p, device } = ctx;
    const open = (obs.reading.values as FridgeValues).doorOpen;
    if (open === undefined) return found(state);
    const ts = obs.reading.ts;
    const s: State = { since: since(state.since, open, ts, state.lastTs, 5 * MIN), lastTs: ts, raised: state.raised };
    if (s.since === null) {
      if (state.raised) {
        s.raised = false;
        return found(s, clear(this.key, device.id, ts, '柜门已关闭'));
      }
      return found(s);
    }
    const lasted = ts - s.since;
    if (lasted < p.noticeMin! * MIN) return found(s);
    const ticket = lasted >= p.ticketMin! * MIN;
    s.raised = true;
    return found(
      s,
      raise(this.key, device.id, ts, {
        severity: ticket ? 'major' : 'info',
        trade: 'canteen',
        category: ticket ? 'repair' : 'notice',
        title: '冷柜门未关',
        summary: `柜门已打开 ${duration(lasted)}${ticket ? '：请立即关门并检查门封' : '，请随手关门'}`,
        details: { since: s.since },
      }),
    );
  },
};
