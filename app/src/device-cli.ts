/**
 * `npm run campus -- device ...`: MQTT logins for devices. Secrets are printed once and stored
 * only as scrypt hashes (CAMPUS_DATA_DIR/secrets/credentials.json); a running broker applies
 * every change within a second, and cuts the connection of a disabled or re-keyed login at once.
 *   device add <deviceId>                                   a ledger device speaking the native format
 *   device add --format tasmota|shelly|zigbee2mqtt|wmbus --id <name> [--site <siteId>]
 *                                                           an off-the-shelf device, bridge or gateway
 *   device rotate <login> | device disable <login> | device enable <login> | device list
 */
import { randomBytes } from 'node:crypto';
import {
  deviceTopicPrefix,
  EXTERNAL_FORMAT_LABELS,
  EXTERNAL_FORMATS,
  externalLoginProblem,
  externalPublishFilters,
  type ExternalFormat,
} from '@campus/contract';
import { CredentialStore, hashSecret, type CredentialRecord } from '@campus/broker';
import type { Knobs } from '@campus/runtime';
import { option } from './args.ts';
import { externalSources, loadCampus, type Campus } from '@campus/site';

export const DEVICE_USAGE = `  npm run campus -- device add <deviceId>
  npm run campus -- device add --format <${EXTERNAL_FORMATS.join('|')}> --id <name> [--site <siteId>]
  npm run campus -- device rotate <login> | device disable <login> | device enable <login> | device list`;

/** a login without its secret (distributes over the identity kinds) */
type Unkeyed = CredentialRecord extends infer R ? (R extends CredentialRecord ? Omit<R, 'hash' | 'createdAt'> : never) : never;

const newSecret = () => randomBytes(24).toString('base64url');

/** How to enter the login in the device's own settings. */
function setupHelp(record: CredentialRecord, username: string, secret: string, mqttPort: number): string {
  const login = `  username  : ${username}\n  password  : ${secret}`;
  if (record.role === 'device') {
    const prefix = deviceTopicPrefix(record.siteId, record.deviceId);
    return `${login}\n  client id : ${record.deviceId}\n  publish   : ${prefix}telemetry (QoS 1), ${prefix}status (retained, last will "offline")`;
  }
  if (record.role !== 'external') return login;
  const host = `<this server>:${mqttPort}`;
  switch (record.format) {
    case 'tasmota':
      return `${login}\nIn Tasmota: Configuration > MQTT: Host/Port ${host}, User ${username}, Password (above), Topic ${record.id}\n(or the console: Backlog MqttHost <server>; MqttPort ${mqttPort}; MqttUser ${username}; MqttPassword <password>; Topic ${record.id})`;
    case 'shelly':
      return `${login}\nIn the Shelly app / web UI: Settings > MQTT: enable, Server ${host}, Client ID and MQTT prefix ${record.id}, User ${username}, Password (above), enable "RPC status notifications" and "Generic status update"`;
    case 'zigbee2mqtt':
      return `${login}\nIn Zigbee2MQTT's configuration.yaml:\n  mqtt:\n    base_topic: ${record.id}\n    server: mqtt://${host}\n    user: ${username}\n    password: <password>\nthen map each sensor's friendly_name in the campus file (external: { format: zigbee2mqtt, id: <friendly_name>${record.id === 'zigbee2mqtt' ? '' : `, bridge: ${record.id}`} })`;
    case 'wmbus':
      return `${login}\nIn wmbusmeters.conf:\n  shell=/usr/bin/mosquitto_pub -h <server> -p ${mqttPort} -u ${username} -P <password> -q 1 -t wmbusmeters/${record.id}/$METER_NAME -m "$METER_JSON"\nthen map each meter's id in the campus file (external: { format: wmbus, id: <meter id> })`;
  }
}

export async function deviceCommand(args: string[], knobs: Readonly<Knobs>): Promise<boolean> {
  const [sub, ...rest] = args;
  const store = CredentialStore.inDataDir(knobs.dataDir).load();
  const campus = (): Campus => loadCampus(knobs.campusConfig);
  const issue = async (username: string, record: Unkeyed, what: string) => {
    const secret = newSecret();
    const full = { ...record, hash: await hashSecret(secret), createdAt: new Date().toISOString() } as CredentialRecord;
    store.set(username, full);
    store.save();
    console.log(`MQTT login for ${what} — shown once, enter it in the device now:\n${setupHelp(full, username, secret, knobs.mqttPort)}`);
    console.log('A running broker applies it within a second; an older secret of this login stops working and its connection is cut.');
  };

  if (sub === 'add' && rest[0] && !rest[0].startsWith('--')) {
    const c = campus();
    const device = c.device(rest[0]);
    if (!device) throw new Error(`no device "${rest[0]}" in ${knobs.campusConfig}: add it to the campus file first`);
    if (externalSources(device).length) {
      const s = externalSources(device)[0]!;
      throw new Error(
        `${device.id} reports as ${s.format} "${s.id}": add that login instead (npm run campus -- device add --format ${s.format} --id ${s.format === 'zigbee2mqtt' ? (s.bridge ?? 'zigbee2mqtt') : s.id})`,
      );
    }
    await issue(device.id, { role: 'device', siteId: c.site.id, deviceId: device.id, source: 'issued' }, `${device.name} (${device.id})`);
    return true;
  }
  if (sub === 'add') {
    const format = option(rest, '--format') as ExternalFormat | undefined;
    const id = option(rest, '--id');
    if (!format || !(EXTERNAL_FORMATS as readonly string[]).includes(format)) throw new Error(`--format must be one of ${EXTERNAL_FORMATS.join(', ')}`);
    if (!id) throw new Error(`--id must be the device's own name (Tasmota topic, Shelly prefix, Zigbee2MQTT base topic, wmbusmeters gateway)`);
    const problem = externalLoginProblem(format, id);
    if (problem) throw new Error(`--id ${problem}`);
    const siteId = option(rest, '--site') ?? campus().site.id;
    const existing = store.get(id);
    if (existing && !(existing.role === 'external' && existing.format === format))
      throw new Error(`the login "${id}" is already used by another device; pick another --id`);
    await issue(
      id,
      { role: 'external', siteId, format, id, source: 'issued' },
      `${EXTERNAL_FORMAT_LABELS[format]} "${id}" (publishes to ${externalPublishFilters(format, id).join(', ')})`,
    );
    return true;
  }
  if (sub === 'rotate' && rest[0]) {
    const record = store.get(rest[0]);
    if (!record || record.role === 'service') throw new Error(`no device login "${rest[0]}" (see: npm run campus -- device list)`);
    const { hash: _old, createdAt: _at, ...kept } = record;
    await issue(rest[0], { ...kept, disabled: false } as Unkeyed, `${rest[0]} (new secret)`);
    return true;
  }
  if ((sub === 'disable' || sub === 'enable') && rest[0]) {
    const record = store.get(rest[0]);
    if (!record || record.role === 'service') throw new Error(`no device login "${rest[0]}" (see: npm run campus -- device list)`);
    store.set(rest[0], { ...record, disabled: sub === 'disable' });
    store.save();
    console.log(
      sub === 'disable' ? `${rest[0]} disabled: a running broker cuts its connection within a second and refuses it from now on` : `${rest[0]} enabled`,
    );
    return true;
  }
  if (sub === 'list') {
    const c = campus();
    const logins = store.entries().filter(([, r]) => r.role !== 'service');
    for (const [username, r] of logins) {
      const what = r.role === 'device' ? `native ${r.deviceId}` : r.role === 'external' ? `${r.format} ${r.id}` : '';
      console.log(
        `${username.padEnd(28)} ${what.padEnd(36)} site ${r.role === 'service' ? '*' : r.siteId}  since ${r.createdAt.slice(0, 10)}${r.disabled ? '  [disabled]' : ''}`,
      );
    }
    const withLogin = new Set(logins.map(([u]) => u));
    const without = c.devices.filter((d) => !externalSources(d).length && !withLogin.has(d.id));
    console.log(
      `${logins.length} device login(s); ${without.length} native ledger device(s) without an issued secret${
        without.length
          ? ` (simulated, or not installed yet: ${without
              .slice(0, 5)
              .map((d) => d.id)
              .join(', ')}${without.length > 5 ? ', ...' : ''})`
          : ''
      }`,
    );
    return true;
  }
  return false;
}
