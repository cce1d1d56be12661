import { describe, expect, it } from 'vitest';
import { DEMO_CAMPUS_FILE, loadCampus } from '@campus/site';

const cal = loadCampus(DEMO_CAMPUS_FILE).calendar;
const at = (iso: string) => Date.parse(iso);

describe('school calendar (Asia/Shanghai)', () => {
  it('knows school days, weekends, holidays, make-up days and vacations', () => {
    expect(cal.dayType('2026-11-23')).toBe('school_day'); // Monday
    expect(cal.dayType('2026-11-22')).toBe('weekend'); // Sunday
    expect(cal.dayType('2026-10-02')).toBe('holiday'); // 国庆节
    expect(cal.dayType('2026-10-10')).toBe('school_day'); // Saturday, 调休
    expect(cal.dayType('2026-08-10')).toBe('vacation'); // summer
  });

  it('finds the timetable period in local time, not UTC', () => {
    expect(cal.periodAt(at('2026-11-23T08:10:00+08:00'))).toEqual({ name: '第1节', kind: 'lesson' });
    expect(cal.periodAt(at('2026-11-23T09:50:00+08:00'))).toBeNull(); // 大课间
    expect(cal.periodAt(at('2026-11-23T19:30:00+08:00'))).toEqual({ name: '晚自习1', kind: 'self_study' });
    expect(cal.periodAt(at('2026-10-02T08:10:00+08:00'))).toBeNull(); // holiday
  });

  it('converts to local dates across midnight', () => {
    expect(cal.local(at('2026-11-23T16:30:00Z'))).toEqual({ date: '2026-11-24', weekday: 2, minuteOfDay: 30 });
    expect(cal.startOfDay('2026-11-24')).toBe(at('2026-11-24T00:00:00+08:00'));
  });

  it('knows exam weeks', () => {
    expect(cal.isExamDay('2026-11-10')).toBe(true);
    expect(cal.isExamDay('2026-11-23')).toBe(false);
  });
});
