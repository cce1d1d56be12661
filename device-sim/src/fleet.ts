/**
 * The simulated devices on the wire: one MQTT connection per device (or per off-the-shelf login:
 * a Zigbee2MQTT bridge carries several devices), logging in with its own credentials, with a
 * retained last will on its availability topic.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { statusTopic, telemetryTopic } from '@campus/contract';
import type { Log } from '@campus/runtime';
import type { FormatLogin, WireMessage } from './formats.ts';

export interface FleetDevice {
  siteId: string;
  deviceId: string;
  password: string;
}

/** A login of an off-the-shelf format (formats.ts) with its password. */
export interface FormatDevice extends FormatLogin {
  password: string;
}

export class DeviceConnection {
  readonly client: MqttClient;
  private readonly telemetry?: string;
  private readonly status?: { topic: string; online: string; offline: string };

  constructor(
    readonly device: FleetDevice | FormatDevice,
    url: string,
    log: Log,
  ) {
    const native = 'deviceId' in device;
    const name = native ? device.deviceId : device.username;
    this.telemetry = native ? telemetryTopic(device.siteId, device.deviceId) : undefined;
    this.status = native ? { topic: statusTopic(device.siteId, device.deviceId), online: 'online', offline: 'offline' } : device.availability;
    const status = this.status;
    this.client = mqtt.connect(url, {
      clientId: native ? device.deviceId : device.clientId,
      username: name,
      password: device.password,
      clean: true,
      protocolVersion: 4,
      keepalive: 60,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      ...(status ? { will: { topic: status.topic, payload: Buffer.from(status.offline), qos: 1 as const, retain: true } } : {}),
    });
    if (status) this.client.on('connect', () => this.client.publish(status.topic, status.online, { qos: 1, retain: true }));
    this.client.on('error', (err) => log.warn(`${name}: ${err.message}`));
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Publishes one native reading at QoS 1; resolves when the broker acknowledged it. */
  publish(body: Record<string, unknown>): Promise<void> {
    if (!this.telemetry) return Promise.reject(new Error('not a native device: use send()'));
    return this.send({ topic: this.telemetry, payload: JSON.stringify(body) });
  }

  /** Publishes one message at QoS 1; resolves when the broker acknowledged it. */
  send(message: WireMessage): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.publish(message.topic, message.payload, { qos: 1 }, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Says "offline" like a device switched off properly, then disconnects. */
  async close(): Promise<void> {
    const status = this.status;
    if (this.client.connected && status) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        this.client.publish(status.topic, status.offline, { qos: 1, retain: true }, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    // a clean DISCONNECT: the broker then discards the will (we already said "offline");
    // if the broker is gone, give up after 2 s and drop the connection
    const timedOut = await Promise.race([
      this.client.endAsync(false).then(
        () => false,
        () => true,
      ),
      new Promise<boolean>((r) => setTimeout(() => r(true), 2000).unref()),
    ]);
    if (timedOut) await this.client.endAsync(true);
  }
}
