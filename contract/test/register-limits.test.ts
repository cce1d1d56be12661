/**
 * A device's register limits from the campus file (register-limits.ts): the rated factor x the rated
 * flow or load, else the ceiling of its kind, with register.fault's thresholds overridden by the
 * site, the device's profile and the device, in that order.
 */
import { describe, expect, it } from 'vitest';
import { deviceRegisterLimits, REGISTER_FAULT_DEFAULTS, registerFaultThresholds, registerLimits, registerUse, type DetectionSettings } from '@campus/contract';

describe('register limits', () => {
  it('the rated flow or load x the rated factor, else the ceiling of the kind; none for a device without a register', () => {
    const p = REGISTER_FAULT_DEFAULTS;
    expect(registerLimits({ kind: 'water_meter', ratedFlowM3h: 6 }, p)).toEqual({ maxPerHour: 60, ratedPerHour: 6 });
    expect(registerLimits({ kind: 'water_meter' }, p)).toEqual({ maxPerHour: 2000 });
    expect(registerLimits({ kind: 'electric_meter', ratedKW: 20 }, p)).toEqual({ maxPerHour: 200, ratedPerHour: 20 });
    expect(registerLimits({ kind: 'electric_meter' }, p)).toEqual({ maxPerHour: 5000 });
    expect(registerLimits({ kind: 'transformer', ratedKVA: 315 }, p)).toEqual({ maxPerHour: 3150, ratedPerHour: 315 });
    expect(registerLimits({ kind: 'fridge' }, p)).toBeUndefined();
  });

  it("the thresholds: the defaults, then the site's, the device's profile's, the device's own", () => {
    const detection: DetectionSettings = {
      defaults: { 'register.fault': { maxKW: 800, ratedFactor: 4 }, 'power.overload': { maxKW: 1 } },
      profiles: { lab: { 'register.fault': { maxKW: 300 } } },
    };
    expect(registerFaultThresholds({})).toEqual({ ratedFactor: 10, maxM3h: 2000, maxKW: 5000 });
    expect(registerFaultThresholds({}, detection)).toEqual({ ratedFactor: 4, maxM3h: 2000, maxKW: 800 });
    expect(registerFaultThresholds({ profile: 'lab' }, detection)).toEqual({ ratedFactor: 4, maxM3h: 2000, maxKW: 300 });
    expect(registerFaultThresholds({ profile: 'lab', thresholds: { 'register.fault': { maxKW: 50 } } }, detection)).toEqual({
      ratedFactor: 4,
      maxM3h: 2000,
      maxKW: 50,
    });
    expect(deviceRegisterLimits({ kind: 'electric_meter', profile: 'lab' }, detection)).toEqual({ maxPerHour: 300 });
    expect(deviceRegisterLimits({ kind: 'water_meter', ratedFlowM3h: 6 }, detection)).toEqual({ maxPerHour: 24, ratedPerHour: 6 });
  });

  it("with limits, a day's rollup is judged over the whole day: a meter replaced mid-day still counts its new meter's first reading", () => {
    const DAY = 86_400_000;
    // the old meter 5000 -> 5010, a new one from 0.5 to 1.5: the readings within the day have no times of their own
    const row = { bucket: 0, n: 4, first: 5000, last: 1.5, min: 0.5, max: 5010 };
    const limits = registerLimits({ kind: 'electric_meter', ratedKW: 5 }, REGISTER_FAULT_DEFAULTS);
    expect(registerUse([row], [0], 99_999_999, { limits, bucketMs: DAY }).total).toBeCloseTo(10 + 0.5 + 1, 9);
    // a jump the rated load cannot make in a day is still no use
    expect(registerUse([{ ...row, max: 9_000_000, last: 9_000_000, min: 5000 }], [0], 99_999_999, { limits, bucketMs: DAY }).total).toBe(0);
  });
});
