/**
 * False tickets over a term from the water balance (water-balance.ts): the main with its seven
 * sub-meters, fault-free, with real use (water-shapes.ts campusMeters), over the term of
 * water-term.test.ts (2026-08-24 → 2027-01-31, 161 days). Only water.burst is run (the other
 * rules of these meters are water-term.test.ts's). Goal: at most 1 false ticket per 100
 * device-days; the residual's tickets are counted on the main alone (161 device-days).
 */
import { DetectionEngine } from '@campus/detection';
import { waterBurst } from '../src/detectors/water-burst.ts';
import { describe, expect, it } from 'vitest';
import { at, campus, HOUR, run } from './harness.ts';
import { campusMeters, DAY, feedMeters } from './water-shapes.ts';

const FROM = at('2026-08-24T00:00:00+08:00');
const TO = at('2027-01-31T00:00:00+08:00');
const DAYS = Math.round((TO - FROM) / DAY);

describe('a term of the main and its sub-meters, fault-free', () => {
  it('the residual raises at most 1 false ticket per 100 device-days', () => {
    const r = run(campus, new DetectionEngine([campus], [waterBurst]));
    feedMeters(r, campusMeters(campus, 23), FROM, TO);
    const main = r.raised('water.burst').filter((f) => f.subjectId === 'wm-main');
    const lines = main.map((f) => `${new Date(f.ts + 8 * HOUR).toISOString().slice(0, 16)} ${f.details?.viaBalance ? 'residual' : 'meter'} ${f.summary}`);
    const residual = main.filter((f) => f.details?.viaBalance);
    console.log(`wm-main: ${residual.length} false tickets from the residual, ${main.length - residual.length} from the meter, in ${DAYS} days${lines.map((l) => `\n  ${l}`).join('')}`);
    expect(residual.length).toBeLessThanOrEqual(DAYS / 100);
  }, 600_000);
});
