import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { listen, MetricsRegistry, readKnobs } from '@campus/runtime';

describe('knobs', () => {
  it('has the documented defaults', () => {
    const k = readKnobs({}, { sim: true });
    expect(k).toMatchObject({
      httpPort: 3000,
      mqttPort: 1883,
      store: 'sqlite',
      sim: true,
      influxUrl: 'http://127.0.0.1:8086',
      mqttUrl: 'mqtt://127.0.0.1:1883',
      mqttPersistence: 'disk',
      brokerMetricsPort: 9641,
      ingestMetricsPort: 9642,
      mqttMaxRetained: 20_000,
      mqttMaxRetainedMb: 16,
      mqttMaxSubscriptions: 100,
    });
    expect(readKnobs({ CAMPUS_BROKER_METRICS_PORT: 'off', CAMPUS_INGEST_METRICS_PORT: '0' })).toMatchObject({ brokerMetricsPort: 'off', ingestMetricsPort: 0 });
    expect(k.campusConfig).toMatch(/site\/demo\/dongnan\.yaml$/);
    expect(k.dataDir).toMatch(/\/data$/);
  });
  it('refuses bounds of zero', () => {
    expect(() => readKnobs({ CAMPUS_MQTT_MAX_RETAINED: '0', CAMPUS_MQTT_MAX_SUBSCRIPTIONS: '-1' })).toThrow(
      /CAMPUS_MQTT_MAX_RETAINED=0: must be 1-.*\n.*CAMPUS_MQTT_MAX_SUBSCRIPTIONS=-1: must be 1-/s,
    );
  });
  it('lists every invalid value at once', () => {
    expect(() => readKnobs({ CAMPUS_HTTP_PORT: 'x', CAMPUS_STORE: 'mysql', CAMPUS_SIM: 'maybe' })).toThrow(
      /CAMPUS_HTTP_PORT=x: must be a port number 0-65535\n.*CAMPUS_STORE=mysql: must be one of sqlite, influx\n.*CAMPUS_SIM=maybe: must be on or off/s,
    );
  });
});

describe('listen', () => {
  it('names the knob when a port is taken', async () => {
    const first = await listen(createServer(), 0, '127.0.0.1', 'MQTT', 'CAMPUS_MQTT_PORT');
    await expect(listen(createServer(), first.port, '127.0.0.1', 'MQTT', 'CAMPUS_MQTT_PORT')).rejects.toMatchObject({
      code: 'CAMPUS_ERR_PORT_IN_USE',
      message: `MQTT port ${first.port} is already in use (set CAMPUS_MQTT_PORT)`,
    });
    await first.close();
  });
});

describe('metrics', () => {
  it('renders Prometheus text with labels escaped', () => {
    const m = new MetricsRegistry();
    m.counter('x_total', 'help text').inc({ reason: 'a "b"\n' }, 2);
    m.gauge('y', 'gauge', () => 3);
    expect(m.render()).toBe('# HELP x_total help text\n# TYPE x_total counter\nx_total{reason="a \\"b\\"\\n"} 2\n# HELP y gauge\n# TYPE y gauge\ny 3\n');
    // a count kept elsewhere is still a counter to Prometheus (rate() needs the type)
    let waits = 4;
    m.counterFrom('w_total', 'waits', () => waits);
    waits++;
    expect(m.render()).toContain('# TYPE w_total counter\nw_total 5\n');
  });
});
