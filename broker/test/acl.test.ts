import { describe, expect, it } from 'vitest';
import { canPublish, canSubscribe, type Identity } from '@campus/broker';

const device: Identity = { role: 'device', siteId: 'dongnan', deviceId: 'wm-main' };
const ingest: Identity = { role: 'service', name: 'ingest', sites: ['*'] };
const siteWorker: Identity = { role: 'service', name: 'ingest', sites: ['dongnan'] };

describe('topic ACL', () => {
  it('a device publishes only its own telemetry and status', () => {
    expect(canPublish(device, 'campus/dongnan/wm-main/telemetry', false).ok).toBe(true);
    expect(canPublish(device, 'campus/dongnan/wm-main/status', true).ok).toBe(true);
    expect(canPublish(device, 'campus/dongnan/wm-canteen/telemetry', false)).toEqual({
      ok: false,
      reason: 'device wm-main may publish only under campus/dongnan/wm-main/',
    });
    expect(canPublish(device, 'campus/other/wm-main/telemetry', false).ok).toBe(false);
    expect(canPublish(device, 'campus/dongnan/wm-main/telemetry/x', false).ok).toBe(false);
    expect(canPublish(device, 'campus/dongnan/wm-main/telemetry', true)).toEqual({ ok: false, reason: 'telemetry must not be retained' });
  });
  it('reserved topics and unauthenticated clients are refused', () => {
    expect(canPublish(device, '$SYS/broker/x', false).ok).toBe(false);
    expect(canPublish(undefined, 'campus/dongnan/wm-main/telemetry', false).ok).toBe(false);
    expect(canSubscribe(undefined, 'campus/#').ok).toBe(false);
  });
  it('devices do not subscribe; services read only their sites and never publish', () => {
    expect(canSubscribe(device, 'campus/dongnan/#').ok).toBe(false);
    expect(canSubscribe(ingest, 'campus/dongnan/#').ok).toBe(true);
    expect(canSubscribe(ingest, '#').ok).toBe(false);
    expect(canSubscribe(siteWorker, 'campus/dongnan/+/telemetry').ok).toBe(true);
    expect(canSubscribe(siteWorker, 'campus/other/#').ok).toBe(false);
    expect(canSubscribe(siteWorker, 'campus/+/+/telemetry').ok).toBe(false);
    expect(canPublish(ingest, 'campus/dongnan/wm-main/telemetry', false).ok).toBe(false);
  });
});
