import { describe, expect, it } from 'vitest';
import { isValidId, parseDeviceTopic, statusTopic, telemetryTopic, ratedCurrentA, seriesField } from '@campus/contract';

describe('topics', () => {
  it('builds and parses native topics', () => {
    expect(telemetryTopic('dongnan', 'wm-main')).toBe('campus/dongnan/wm-main/telemetry');
    expect(statusTopic('dongnan', 'wm-main')).toBe('campus/dongnan/wm-main/status');
    expect(parseDeviceTopic('campus/dongnan/wm-main/telemetry')).toEqual({ siteId: 'dongnan', deviceId: 'wm-main', channel: 'telemetry' });
  });
  it('rejects anything else', () => {
    for (const t of [
      'campus/dongnan/wm-main',
      'campus/dongnan/wm-main/cmd',
      'x/dongnan/wm-main/telemetry',
      'campus/don+gnan/a/telemetry',
      'campus/d/a/telemetry/extra',
      'campus//a/telemetry',
    ]) {
      expect(parseDeviceTopic(t), t).toBeNull();
    }
  });
  it('ids are safe in topics, files and URLs', () => {
    expect(isValidId('em-g1c1')).toBe(true);
    for (const bad of ['', 'a/b', 'a+b', 'a#', '-lead', 'x'.repeat(65), 'a b', '中文']) expect(isValidId(bad), bad).toBe(false);
  });
});

describe('series fields', () => {
  it('rated current per phase is kVA*1000/(sqrt(3)*V_LL)', () => {
    expect(ratedCurrentA(315, 400)).toBeCloseTo(454.66, 1);
  });
  it('defaults to the primary field of a kind and refuses unknown names', () => {
    expect(seriesField('fridge')?.name).toBe('tempC');
    expect(seriesField('transformer', 'worstPhaseA')?.paths).toHaveLength(3);
    expect(seriesField('fridge', 'powerKW')).toBeUndefined();
  });
});
