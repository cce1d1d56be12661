/**
 * CAMPUS_MQTT_URL may name several broker nodes, comma-separated (`mqtt://a:1883,mqtt://b:1883`):
 * a client connects to the first that answers and, when that node goes away, reconnects to the next
 * (mqtt.js `servers`). One URL is the usual case and stays as it was.
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';

export interface MqttServer {
  protocol: 'mqtt' | 'mqtts';
  host: string;
  port: number;
}

/** The broker nodes of a CAMPUS_MQTT_URL value; throws a message naming the bad part. */
export function mqttServers(url: string): MqttServer[] {
  const parts = url
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (!parts.length) throw new Error('no broker address');
  return parts.map((part) => {
    if (!/^mqtts?:\/\//.test(part) || !URL.canParse(part)) throw new Error(`${part}: must start with mqtt:// or mqtts://`);
    const u = new URL(part);
    const protocol = u.protocol === 'mqtts:' ? 'mqtts' : 'mqtt';
    return { protocol, host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || (protocol === 'mqtts' ? 8883 : 1883)) };
  });
}

/** mqtt.js `connect()` for a CAMPUS_MQTT_URL value: one URL as it is, several broker nodes as `servers` (the next takes over when one goes away). */
export function connectMqtt(url: string, options: IClientOptions): MqttClient {
  const servers = mqttServers(url);
  return servers.length === 1 ? mqtt.connect(url.trim(), options) : mqtt.connect({ ...options, servers });
}
