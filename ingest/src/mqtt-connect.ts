/** mqtt.js `connect()` for a CAMPUS_MQTT_URL value: one URL as it is, several broker nodes as `servers` (the next takes over when one goes away). */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { mqttServers } from '@campus/runtime';

export function connectMqtt(url: string, options: IClientOptions): MqttClient {
  const servers = mqttServers(url);
  return servers.length === 1 ? mqtt.connect(url.trim(), options) : mqtt.connect({ ...options, servers });
}
