/**
 * The simulated devices speaking off-the-shelf formats: a ledger device with `external` in the
 * campus file is published the way that product would publish it (Tasmota SENSOR, Shelly
 * status/em:0 + emdata:0 or switch:0, Zigbee2MQTT state, wmbusmeters JSON), through the login
 * that product would use (externalLogin). Native is the default.
 */
import { externalLogin, type ExternalFormat } from '@campus/contract';
import type { DeviceConfig, ExternalSourceConfig, SchoolCalendar } from '@campus/site';
import type { SimReading } from './campus-sim.ts';

export interface FormatLogin {
  username: string;
  clientId: string;
  /** retained availability: the last will and the hello */
  availability?: { topic: string; online: string; offline: string };
}

export interface WireMessage {
  topic: string;
  payload: string;
}

export function formatLogin(source: ExternalSourceConfig, siteId: string): FormatLogin {
  const { username, id } = externalLogin(source, siteId);
  const availability: Record<ExternalFormat, FormatLogin['availability']> = {
    tasmota: { topic: `tele/${id}/LWT`, online: 'Online', offline: 'Offline' },
    shelly: { topic: `${id}/online`, online: 'true', offline: 'false' },
    zigbee2mqtt: undefined, // the bridge's own state is not a device's
    wmbus: undefined,
  };
  return { username, clientId: username, availability: availability[source.format] };
}

const round = (x: number, digits = 3) => Math.round(x * 10 ** digits) / 10 ** digits;

/** One simulated reading in the device's own format (one or more messages). */
export function encode(source: ExternalSourceConfig, device: DeviceConfig, r: SimReading, calendar: SchoolCalendar, siteId: string): WireMessage[] {
  const v = r.values as Record<string, unknown>;
  const json = (topic: string, body: unknown): WireMessage => ({ topic, payload: JSON.stringify(body) });
  switch (source.format) {
    case 'tasmota': {
      // a channel's values at its place in the arrays; the other channels' places stay empty
      const ch = (source.channel ?? 1) - 1;
      const at = (x: unknown) => (source.channel ? Array.from({ length: ch + 1 }, (_, i) => (i === ch ? x : null)) : x);
      const local = new Date(r.ts + calendar.offsetAt(r.ts)).toISOString().slice(0, 19);
      return [json(`tele/${source.id}/SENSOR`, { Time: local, ENERGY: { Total: at(v.totalKWh), Power: at(round(Number(v.powerKW ?? 0) * 1000, 1)) } })];
    }
    case 'shelly': {
      const component = source.component ?? (device.kind === 'transformer' ? 'em:0' : 'switch:0');
      const [type, index] = component.split(':');
      if (type === 'em') {
        const [a, b, c] = (v.currentA as number[] | undefined) ?? [0, 0, 0];
        const [va, vb, vc] = (v.voltageV as number[] | undefined) ?? [230, 230, 230];
        const out = [
          json(`${source.id}/status/em:${index}`, {
            id: Number(index),
            a_current: a,
            a_voltage: va,
            b_current: b,
            b_voltage: vb,
            c_current: c,
            c_voltage: vc,
            total_current: round(a! + b! + c!),
            total_act_power: round(Number(v.powerKW ?? 0) * 1000, 1),
          }),
        ];
        if (v.totalKWh !== undefined)
          out.push(json(`${source.id}/status/emdata:${index}`, { id: Number(index), total_act: round(Number(v.totalKWh) * 1000, 2) }));
        return out;
      }
      return [
        json(`${source.id}/status/${component}`, {
          id: Number(index),
          output: true,
          apower: round(Number(v.powerKW ?? 0) * 1000, 1),
          aenergy: { total: round(Number(v.totalKWh) * 1000, 3) },
        }),
      ];
    }
    case 'zigbee2mqtt': {
      const base = source.bridge ?? 'zigbee2mqtt';
      const body: Record<string, unknown> = { battery: 97, linkquality: 120 };
      if (v.tempC !== undefined) body.temperature = v.tempC;
      if (v.doorOpen !== undefined) body.contact = !v.doorOpen;
      if (device.kind === 'water_meter') body.water_leak = Array.isArray(v.status) ? v.status.includes('LEAK') : v.status === 'LEAK';
      return [json(`${base}/${source.id}`, body)];
    }
    case 'wmbus': {
      const flags = Array.isArray(v.status) ? v.status.join(' ') : typeof v.status === 'string' ? v.status : '';
      const gateway = externalLogin(source, siteId).id;
      return [
        json(`wmbusmeters/${gateway}/${device.id}`, {
          _: 'telegram',
          media: 'water',
          meter: 'iperl',
          name: device.id,
          id: source.id,
          total_m3: v.totalM3,
          max_flow_m3h: v.flowM3h ?? 0,
          status: flags || 'OK',
          timestamp: new Date(r.ts).toISOString(),
        }),
      ];
    }
  }
}
