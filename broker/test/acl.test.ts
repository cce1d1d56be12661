import { describe, expect, it } from 'vitest';
import { canPublish, canSubscribe, canWill, keepsRetain, type Identity } from '@campus/broker';
import { externalSubscribeFilters } from '@campus/contract';

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

  it("an off-the-shelf login publishes and subscribes only under its own format's topics", () => {
    const plug: Identity = { role: 'external', siteId: 'dongnan', format: 'tasmota', id: 'tasmota_G1C1' };
    expect(canPublish(plug, 'tele/tasmota_G1C1/SENSOR', false).ok).toBe(true);
    expect(canPublish(plug, 'stat/tasmota_G1C1/RESULT', false).ok).toBe(true);
    expect(canPublish(plug, 'tele/tasmota_OTHER/SENSOR', false).ok).toBe(false);
    expect(canPublish(plug, 'campus/dongnan/em-g1c1/telemetry', false).ok).toBe(false);
    expect(canSubscribe(plug, 'cmnd/tasmota_G1C1/#').ok).toBe(true);
    expect(canSubscribe(plug, 'cmnd/tasmotas/#').ok).toBe(false);
    expect(canSubscribe(plug, 'cmnd/+/#').ok).toBe(false);
    expect(keepsRetain(plug, 'tele/tasmota_G1C1/LWT')).toBe(true);
    expect(keepsRetain(plug, 'tele/tasmota_G1C1/SENSOR')).toBe(false);

    const bridge: Identity = { role: 'external', siteId: 'dongnan', format: 'zigbee2mqtt', id: 'zigbee2mqtt' };
    expect(canPublish(bridge, 'zigbee2mqtt/冷藏柜1温度', false).ok).toBe(true);
    expect(canPublish(bridge, 'zigbee2mqttx/a', false).ok).toBe(false);
    const gateway: Identity = { role: 'external', siteId: 'dongnan', format: 'wmbus', id: 'gw-dorm' };
    expect(canPublish(gateway, 'wmbusmeters/gw-dorm/dorm3', false).ok).toBe(true);
    expect(canPublish(gateway, 'wmbusmeters/gw-canteen/tap', false).ok).toBe(false);
    expect(canSubscribe(gateway, 'wmbusmeters/#').ok).toBe(false);
    // ingest reads the formats' topics; nobody reads everything or $SYS
    expect(canSubscribe(ingest, 'tele/+/SENSOR').ok).toBe(true);
    expect(canSubscribe(ingest, '$SYS/#').ok).toBe(false);
    expect(canSubscribe(siteWorker, 'tele/+/SENSOR').ok).toBe(false);
  });

  describe("an off-the-shelf login whose id reaches our own or another family's topics publishes and subscribes nothing (issued before the CLI refused it)", () => {
    const login = (format: 'tasmota' | 'shelly' | 'zigbee2mqtt' | 'wmbus', id: string): Identity => ({ role: 'external', siteId: 'dongnan', format, id });
    const cases = [
      { format: 'tasmota', bad: 'campus', own: 'tele/campus/SENSOR', good: 'tasmota_G1C1', goodTopic: 'tele/tasmota_G1C1/SENSOR' },
      {
        format: 'shelly',
        bad: 'campus',
        own: 'campus/dongnan/wm-main/telemetry',
        good: 'shellypro3em-c8f09e8a1b2c',
        goodTopic: 'shellypro3em-c8f09e8a1b2c/events/rpc',
      },
      { format: 'zigbee2mqtt', bad: 'tele', own: 'tele/tasmota_G1C1/SENSOR', good: 'zigbee2mqtt', goodTopic: 'zigbee2mqtt/冷藏柜1温度' },
      { format: 'wmbus', bad: 'campus', own: 'wmbusmeters/campus/dorm3', good: 'gw-dorm', goodTopic: 'wmbusmeters/gw-dorm/dorm3' },
    ] as const;
    it.each(cases.map((c) => [c.format, c] as const))('%s', (_format, c) => {
      const bad = login(c.format, c.bad);
      const published = canPublish(bad, c.own, false);
      expect(published.ok).toBe(false);
      expect(published.ok ? '' : published.reason).toMatch(/topic root/);
      expect(canSubscribe(bad, externalSubscribeFilters(c.format, c.bad)[0] ?? `${c.bad}/#`).ok).toBe(false);
      expect(canWill(bad, c.own, true).ok).toBe(false);
      expect(canPublish(login(c.format, c.good), c.goodTopic, false).ok).toBe(true);
    });
    it("the native devices' topics stay out of reach whatever the case or the wildcard", () => {
      expect(canPublish(login('shelly', 'Campus'), 'Campus/dongnan/wm-main/telemetry', false).ok).toBe(false);
      expect(canPublish(login('shelly', 'campus-ops'), 'campus-ops/ingest/sites/dongnan', true).ok).toBe(false);
      expect(canPublish(login('shelly', 'cmnd'), 'cmnd/tasmotas/Power', false).ok).toBe(false);
      expect(canPublish(login('shelly', '+'), 'x/events/rpc', false).ok).toBe(false);
      expect(canPublish(login('zigbee2mqtt', 'wmbusmeters'), 'wmbusmeters/gw-dorm/dorm3', false).ok).toBe(false);
    });
  });
});

describe('split mode: the dashboard and ingest on the system’s own topics (contract/src/ops.ts)', () => {
  const dashboard: Identity = { role: 'service', name: 'dashboard', sites: [] };
  const device: Identity = { role: 'device', siteId: 'dongnan', deviceId: 'wm-main' };
  it('a dashboard sends staff commands to a site and hears replies, ticket changes and the live feed of a site; nothing else', () => {
    expect(canPublish(dashboard, 'campus-ops/repairs/dongnan/commands', false).ok).toBe(true);
    expect(canPublish(dashboard, 'campus-ops/repairs/dongnan/tickets', false).ok).toBe(false);
    expect(canPublish(dashboard, 'campus-ops/repairs/+/commands', false).ok).toBe(false);
    expect(canPublish(dashboard, 'campus/dongnan/wm-main/telemetry', false).ok).toBe(false);
    const reads = ['campus-ops/replies/dashboard-1', 'campus-ops/repairs/dongnan/tickets', 'campus-ops/repairs/dongnan/events', 'campus-ops/live/dongnan/readings', 'campus-ops/live/dongnan/statuses'];
    for (const f of reads) expect({ f, ok: canSubscribe(dashboard, f).ok }).toEqual({ f, ok: true });
    const refused = ['campus-ops/replies/+', 'campus-ops/repairs/+/tickets', 'campus-ops/repairs/#', 'campus-ops/repairs/dongnan/commands', 'campus-ops/live/dongnan/readings/x', 'campus/dongnan/#', 'campus-ops/ingest/#', '#'];
    for (const f of refused) expect({ f, ok: canSubscribe(dashboard, f).ok }).toEqual({ f, ok: false });
  });
  it('ingest answers and tells on them, but sends no commands; a device touches none of them', () => {
    expect(canPublish(ingest, 'campus-ops/replies/dashboard-1', false).ok).toBe(true);
    expect(canPublish(ingest, 'campus-ops/live/dongnan/readings', false).ok).toBe(true);
    expect(canPublish(ingest, 'campus-ops/repairs/dongnan/tickets', false).ok).toBe(true);
    expect(canPublish(ingest, 'campus-ops/repairs/dongnan/commands', false).ok).toBe(false);
    expect(canSubscribe(ingest, 'campus-ops/repairs/dongnan/commands').ok).toBe(true);
    expect(canPublish(device, 'campus-ops/repairs/dongnan/commands', false).ok).toBe(false);
    expect(canSubscribe(device, 'campus-ops/live/dongnan/readings').ok).toBe(false);
  });
});
