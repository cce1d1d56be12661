/**
 * The real world's shapes, shortened for CI (one case of each, days instead of weeks): each must
 * meet its goal. The full shapes run with `npm run eval:detect`.
 */
import { describe, expect, it } from 'vitest';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';
import { SHAPES, type ShapeRow } from '@campus/eval';

const campus = loadCampus(DEMO_CAMPUS_FILE);
/** the rows that missed their goal, with what happened, so a failure says why */
const missed = (rows: ShapeRow[]) =>
  rows
    .filter((r) => !r.met)
    .map((r) => [`${r.shape} (goal: ${r.goal})`, ...r.notes].join('\n    '))
    .join('\n\n');

describe("the real world's shapes (short)", () => {
  it(
    'an incipient leak 0→30 L/h over 2 weeks, with real night use, is ticketed within 24 h of reaching 30 L/h; an abrupt one within one night',
    { timeout: 120_000 },
    () => {
      expect(missed(SHAPES.leaks({ campus, short: true }))).toBe('');
    },
  );

  it(
    '2 m³/h bursts on a dormitory floor in its evening peak (21:30, 22:30) and at 03:00, and on the main in its morning peak (07:00), are ticketed within 15 min',
    { timeout: 120_000 },
    () => {
      expect(missed(SHAPES.bursts({ campus, short: true }))).toBe('');
    },
  );

  it(
    'an unreported 24-h defrost (±2 h, 45 min, to +3 °C) raises at most two tickets while learned and none after; a compressor failure and a long warm-up are ticketed',
    { timeout: 120_000 },
    () => {
      expect(missed(SHAPES.freezers({ campus, short: true }))).toBe('');
    },
  );

  it('a hot spell above 80 % on school days is one near-capacity notice; a hot spell in the vacation none', { timeout: 120_000 }, () => {
    expect(missed(SHAPES.transformer({ campus, short: true }))).toBe('');
  });

  it('fault-free meters over 国庆 and the 调休 Saturday raise at most 1 false ticket per 100 device-days', { timeout: 120_000 }, () => {
    expect(missed(SHAPES.term({ campus, short: true }))).toBe('');
  });
});
