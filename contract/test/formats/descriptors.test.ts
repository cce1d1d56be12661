/**
 * What every family's descriptor must agree with itself on, checked for each one in the list (a
 * new family is checked without a line here): what the simulator publishes is inside its login's
 * ACL, inside what ingest subscribes to (for every site and for the source's own site), routed
 * back to the same family and decoded as the same identity; the availability it announces may be
 * published and retained, and decodes as a status; its root is reserved against other logins.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TELEMETRY_LIMITS,
  DEVICE_KINDS,
  externalFormat,
  externalIngestFilters,
  externalLogin,
  externalLoginProblem,
  EXTERNAL_FORMATS,
  formatOfTopic,
  RESERVED_TOPIC_ROOTS,
  topicMatches,
  type DeviceKind,
  type ExternalFormat,
  type FormatMessage,
} from '@campus/contract';

const SITE = 'dongnan';
const NOW = Date.parse('2026-11-23T10:00:00+08:00');
const VALUES: Record<DeviceKind, Record<string, unknown>> = {
  water_meter: { totalM3: 123.5, flowM3h: 0.2, status: [] },
  electric_meter: { totalKWh: 52.7, powerKW: 0.036 },
  transformer: { currentA: [4, 4.1, 3], voltageV: [230, 231, 229], powerKW: 2.6, totalKWh: 70.4 },
  fridge: { tempC: 3.9, doorOpen: false },
};

describe.each(EXTERNAL_FORMATS.map((f) => [f]))('%s', (format: ExternalFormat) => {
  const d = externalFormat(format)!;
  const source = { format, id: 'dev-0042' };
  const login = externalLogin(source, SITE);
  const logins = (f: string) => (f === format ? [login.id] : []);
  const within = (filters: readonly string[], topic: string) => filters.some((f) => topicMatches(f, topic));

  it.each(DEVICE_KINDS.map((k) => [k]))('a simulated %s reading: allowed, subscribed, routed and decoded as the same device', (kind) => {
    const sent = d.encode?.({ source, siteId: SITE, deviceId: 'wm-dorm-3', kind, ts: NOW, utcOffsetMs: 8 * 3600_000, values: VALUES[kind] }) ?? [];
    for (const m of sent) {
      expect(within(d.publishFilters(login.id), m.topic), `${m.topic} within ${login.username}'s ACL`).toBe(true);
      expect(within(externalIngestFilters(logins), m.topic), `${m.topic} subscribed`).toBe(true);
      expect(within(d.sourceTopics(source, SITE), m.topic), `${m.topic} within the source's own topics`).toBe(true);
      expect(formatOfTopic(m.topic, logins)?.name).toBe(format);
      const decoded = d.decode(m.topic, Buffer.from(m.payload), { limits: DEFAULT_TELEMETRY_LIMITS, logins: [login.id] });
      if (decoded.type === 'ignored') continue; // a part the product sends that carries nothing for this kind
      expect(decoded).toMatchObject({ type: 'external', format, id: source.id });
      expect((decoded as FormatMessage).parts.some((p) => Object.keys(p.fields).length)).toBe(true);
    }
  });

  // a family whose product announces no availability of its own (a Zigbee2MQTT bridge, a wmbusmeters gateway) has nothing to check here
  const a = d.availability?.(login.id);
  if (a)
    it('its availability may be published and retained, and decodes as a status', () => {
      expect(within(d.publishFilters(login.id), a.topic)).toBe(true);
      expect(d.keepsRetain(a.topic, login.id)).toBe(true);
      for (const [payload, status] of [
        [a.online, 'online'],
        [a.offline, 'offline'],
      ] as const) {
        expect(d.decode(a.topic, Buffer.from(payload), { limits: DEFAULT_TELEMETRY_LIMITS })).toMatchObject({ type: 'external', format, status });
      }
    });

  it('its roots are reserved: no login of another family may be named so', () => {
    for (const root of Object.keys(d.roots)) {
      expect(RESERVED_TOPIC_ROOTS).toContain(root);
      for (const other of EXTERNAL_FORMATS.filter((f) => f !== format)) expect(externalLoginProblem(other, root)).toMatch(/topic root/);
    }
  });
});
