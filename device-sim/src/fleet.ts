/**
 * The simulated devices on the wire: one MQTT connection per device, logging in with that
 * device's own credentials, with a retained last will "offline" on its status topic.
 */
import mqtt, { type MqttClient } from 'mqtt';
import { statusTopic, telemetryTopic } from '@campus/contract';
import type { Log } from '@campus/runtime';

export interface FleetDevice {
  siteId: string;
  deviceId: string;
  password: string;
}

export class DeviceConnection {
  readonly client: MqttClient;
  private readonly telemetry: string;
  private readonly status: string;

  constructor(
    readonly device: FleetDevice,
    url: string,
    log: Log,
  ) {
    this.telemetry = telemetryTopic(device.siteId, device.deviceId);
    this.status = statusTopic(device.siteId, device.deviceId);
    this.client = mqtt.connect(url, {
      clientId: device.deviceId,
      username: device.deviceId,
      password: device.password,
      clean: true,
      protocolVersion: 4,
      keepalive: 60,
      reconnectPeriod: 2000,
      connectTimeout: 10_000,
      will: { topic: this.status, payload: Buffer.from('offline'), qos: 1, retain: true },
    });
    this.client.on('connect', () => this.client.publish(this.status, 'online', { qos: 1, retain: true }));
    this.client.on('error', (err) => log.warn(`${device.deviceId}: ${err.message}`));
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Publishes one reading at QoS 1; resolves when the broker acknowledged it. */
  publish(body: Record<string, unknown>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.publish(this.telemetry, JSON.stringify(body), { qos: 1 }, (err) => (err ? reject(err) : resolve()));
    });
  }

  /** Says "offline" like a device switched off properly, then disconnects. */
  async close(): Promise<void> {
    if (this.client.connected) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 2000);
        this.client.publish(this.status, 'offline', { qos: 1, retain: true }, () => {
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
