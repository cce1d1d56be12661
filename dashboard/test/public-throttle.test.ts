/** The public form's rate limits on simulated time: the window, the per-place limit across addresses, bounded memory. */
import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from '@campus/runtime';
import { ReportThrottle } from '../src/security/report-throttle.ts';

describe('ReportThrottle', () => {
  it('allows 10 reports an hour per address, then says how long to wait; the next hour is new', () => {
    let now = 1_000_000;
    const t = new ReportThrottle(new MetricsRegistry(), {}, () => now);
    for (let i = 0; i < 10; i++) expect(t.report('10.0.0.5', `dongnan/T-${200 + i}`)).toBeUndefined();
    now += 20 * 60_000;
    expect(t.report('10.0.0.5', 'dongnan/T-301')).toMatchObject({
      limit: 'report_address',
      retryAfterS: 40 * 60,
      message: expect.stringMatching(/提交太频繁/),
    });
    expect(t.report('10.0.0.6', 'dongnan/T-301')).toBeUndefined();
    now += 40 * 60_000;
    expect(t.report('10.0.0.5', 'dongnan/T-301')).toBeUndefined();
  });

  it('allows 20 reports an hour per place from any addresses; an IPv6 /64 is one address', () => {
    const t = new ReportThrottle(new MetricsRegistry(), {}, () => 0);
    for (let i = 0; i < 20; i++) expect(t.report(`10.0.1.${i}`, 'dongnan/T-201')).toBeUndefined();
    expect(t.report('10.0.2.1', 'dongnan/T-201')?.limit).toBe('report_place');
    // the refused report did not count against its address
    for (let i = 0; i < 10; i++) expect(t.report('10.0.2.1', `dongnan/R-${i}`)).toBeUndefined();
    for (let i = 0; i < 10; i++) expect(t.report(`2001:db8:1:2::${i + 1}`, `dongnan/S-${i}`)).toBeUndefined();
    expect(t.report('2001:db8:1:2:ffff::9', 'dongnan/S-99')?.limit).toBe('report_address');
  });

  it('keeps at most maxKeys counters, and counts refusals by limit in /metrics', () => {
    const metrics = new MetricsRegistry();
    let now = 0;
    const t = new ReportThrottle(metrics, { maxKeys: 100, photosPerAddress: 1 }, () => now);
    for (let i = 0; i < 1000; i++) {
      now += 1000;
      t.photo(`10.1.${i >> 8}.${i & 255}`);
    }
    expect(t.size()).toBeLessThanOrEqual(100);
    expect(t.photo('10.1.3.231')?.limit).toBe('photo_address'); // the newest are kept
    expect(metrics.render()).toMatch(/campus_public_throttled_total\{limit="photo_address"\} 1/);
  });
});
