/**
 * Adding a family is one descriptor and one line in the list: here the contract's list
 * (contract/src/formats/index.ts) is given one more element, a toy family "acme"
 * (fixtures/acme-format.ts), and nothing else changes. The
 * campus file accepts it, the broker's ACL confines its logins to its topics, ingest subscribes
 * to its topics, routes its messages to its decoder and maps them onto ledger devices, and the
 * simulator speaks it. Each check fails if that part kept a list of its own.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { canPublish, canSubscribe, canWill, keepsRetain, type Identity } from '@campus/broker';
import { EXTERNAL_FORMAT_LABELS, EXTERNAL_FORMATS, RESERVED_TOPIC_ROOTS } from '@campus/contract';
import { encode, formatLogin } from '@campus/device-sim';
import { DeviceRegistry, pipelineContext, processMessage } from '@campus/ingest';
import { CampusConfigError } from '@campus/site';
import { campusFileWith, tempDir } from '@campus/testkit';

// the one line: the list with the toy family at its end (the mock is by path: the list is the
// contract's own, which no package imports but the contract)
vi.mock('../../contract/src/formats/index.ts', async (importOriginal) => {
  const list = (await importOriginal()) as { FORMATS: readonly unknown[] };
  const { acme } = await import('./fixtures/acme-format.ts');
  return { ...list, FORMATS: [...list.FORMATS, acme] };
});

const dir = tempDir();
afterAll(() => dir.remove());
const NOW = Date.now();

describe('a new family from its descriptor alone', () => {
  it('is a format of the contract, with its label, and its root is reserved', () => {
    expect(EXTERNAL_FORMATS).toEqual(['tasmota', 'shelly', 'zigbee2mqtt', 'wmbus', 'acme']);
    expect(EXTERNAL_FORMAT_LABELS).toMatchObject({ acme: 'Acme' });
    expect(RESERVED_TOPIC_ROOTS).toContain('acme');
  });

  it("the campus file accepts it and refuses an id that is another family's root; a Shelly prefix may not be its root", () => {
    const ok = campusFileWith(dir.path, { 'em-g1c1': { format: 'acme', id: 'acme-0042' } }).campus;
    expect(ok.devices.find((d) => d.id === 'em-g1c1')?.external).toEqual({ format: 'acme', id: 'acme-0042' });
    const refused = () => campusFileWith(dir.path, { 'em-g1c1': { format: 'acme', id: 'tele' }, 'em-sci': { format: 'shelly', id: 'acme' } });
    expect(refused).toThrow(CampusConfigError);
    expect(refused).toThrow(/external\.id: "tele" is a topic root of Tasmota/);
    expect(refused).toThrow(/external\.id: "acme" is a topic root of Acme/);
  });

  it("the broker's ACL confines its login to its own topics", () => {
    const who = { role: 'external', siteId: 'dongnan', format: 'acme', id: 'acme-0042' } as unknown as Identity;
    expect(canPublish(who, 'acme/acme-0042/up', false).ok).toBe(true);
    expect(canPublish(who, 'acme/acme-0043/up', false)).toMatchObject({ ok: false, reason: expect.stringContaining('acme/acme-0042/#') });
    expect(canPublish(who, 'campus/dongnan/em-g1c1/telemetry', false).ok).toBe(false);
    expect(canSubscribe(who, 'acme/acme-0042/cmd').ok).toBe(true);
    expect(canSubscribe(who, 'acme/#').ok).toBe(false);
    expect(keepsRetain(who, 'acme/acme-0042/lwt')).toBe(true);
    expect(keepsRetain(who, 'acme/acme-0042/up')).toBe(false);
    expect(canWill(who, 'acme/acme-0042/lwt', true).ok).toBe(true);
  });

  it('ingest subscribes to its topics, routes its messages to its decoder and maps them; an unknown one is pending', () => {
    const { campus } = campusFileWith(dir.path, { 'em-g1c1': { format: 'acme', id: 'acme-0042' } });
    const registry = new DeviceRegistry([campus]);
    expect(registry.externalFilters()).toEqual(expect.arrayContaining(['acme/+/up', 'acme/+/lwt', 'tele/+/SENSOR']));
    expect(registry.externalTopics()).toEqual(['acme/acme-0042/up', 'acme/acme-0042/lwt']);
    const ctx = pipelineContext(registry);
    const out = processMessage('acme/acme-0042/up', Buffer.from('{"kwh":52.5,"w":40}'), NOW, ctx);
    expect(out).toEqual([{ type: 'reading', reading: expect.objectContaining({ deviceId: 'em-g1c1', values: { totalKWh: 52.5, powerKW: 0.04 } }) }]);
    expect(processMessage('acme/acme-0042/lwt', Buffer.from('down'), NOW, ctx)).toEqual([
      { type: 'status', status: { deviceId: 'em-g1c1', status: 'offline', at: NOW } },
    ]);
    expect(processMessage('acme/acme-0042/up', Buffer.from('{"kwh":"52.5"}'), NOW, ctx)[0]).toMatchObject({
      type: 'rejected',
      reason: 'Acme: kwh must be a number',
    });
    expect(processMessage('acme/acme-9/up', Buffer.from('{"kwh":1}'), NOW, ctx)[0]).toMatchObject({
      type: 'pending',
      pending: { format: 'acme', id: 'acme-9' },
    });
  });

  it('the simulator logs in and publishes as the family does', () => {
    const { campus } = campusFileWith(dir.path, { 'em-g1c1': { format: 'acme', id: 'acme-0042' } });
    const device = campus.devices.find((d) => d.id === 'em-g1c1')!;
    const source = { format: 'acme', id: 'acme-0042' } as never;
    expect(formatLogin(source, campus.site.id)).toEqual({
      username: 'acme-0042',
      clientId: 'acme-0042',
      availability: { topic: 'acme/acme-0042/lwt', online: 'up', offline: 'down' },
    });
    const sent = encode(source, device, { ts: NOW, seq: 1, values: { totalKWh: 7, powerKW: 0.5 } } as never, campus.calendar, campus.site.id);
    expect(sent).toEqual([{ topic: 'acme/acme-0042/up', payload: '{"kwh":7,"w":500}' }]);
  });
});
