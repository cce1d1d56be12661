/**
 * The environment knobs every part honours (SPEC.md "Knobs"), parsed once and frozen.
 * Every invalid value is listed together; the runner exits 1 on them.
 */
import { resolve } from 'node:path';
import { DEMO_CAMPUS_FILE } from '@campus/site';
import { CampusError } from './errors.ts';

export interface Knobs {
  /** CAMPUS_CONFIG: path of the campus file */
  campusConfig: string;
  /** CAMPUS_DATA_DIR: embedded store, spool and secrets */
  dataDir: string;
  /** CAMPUS_HTTP_PORT / CAMPUS_HTTP_HOST */
  httpPort: number;
  httpHost: string;
  /** CAMPUS_MQTT_PORT / CAMPUS_MQTT_HOST: the broker's TCP listener */
  mqttPort: number;
  mqttHost: string;
  /** CAMPUS_MQTT_URL: where ingest and the simulator connect (default: this machine's broker) */
  mqttUrl: string;
  /** CAMPUS_STORE */
  store: 'sqlite' | 'influx';
  /** CAMPUS_INFLUX_URL / CAMPUS_INFLUX_DB */
  influxUrl: string;
  influxDb: string;
  /** CAMPUS_SIM: run the simulator in-process */
  sim: boolean;
  /** CAMPUS_SIM_BACKFILL_DAYS: history the simulator publishes first on a fresh install */
  simBackfillDays: number;
  /** CAMPUS_RAW_RETENTION_DAYS: how long raw readings are kept (rollups are kept for years) */
  rawRetentionDays: number;
  /** CAMPUS_SPOOL_MAX_MB: the disk spool that holds readings while the database is down */
  spoolMaxMb: number;
}

type Env = Record<string, string | undefined>;

export function readKnobs(env: Env = process.env, defaults: { sim?: boolean } = {}): Readonly<Knobs> {
  const problems: string[] = [];
  const port = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 65535) {
      problems.push(`${name}=${raw}: must be a port number 0-65535`);
      return fallback;
    }
    return n;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (!(allowed as readonly string[]).includes(raw)) {
      problems.push(`${name}=${raw}: must be one of ${allowed.join(', ')}`);
      return fallback;
    }
    return raw as T;
  };
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    if (['on', 'true', '1', 'yes'].includes(raw.toLowerCase())) return true;
    if (['off', 'false', '0', 'no'].includes(raw.toLowerCase())) return false;
    problems.push(`${name}=${raw}: must be on or off`);
    return fallback;
  };

  const integer = (name: string, fallback: number, min: number, max: number, unit: string): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min || n > max) {
      problems.push(`${name}=${raw}: must be ${min}-${max} ${unit}`);
      return fallback;
    }
    return n;
  };

  const mqttPort = port('CAMPUS_MQTT_PORT', 1883);
  const knobs: Knobs = {
    campusConfig: resolve(env.CAMPUS_CONFIG || DEMO_CAMPUS_FILE),
    dataDir: resolve(env.CAMPUS_DATA_DIR || './data'),
    httpPort: port('CAMPUS_HTTP_PORT', 3000),
    httpHost: env.CAMPUS_HTTP_HOST || '0.0.0.0',
    mqttPort,
    mqttHost: env.CAMPUS_MQTT_HOST || '0.0.0.0',
    mqttUrl: env.CAMPUS_MQTT_URL || `mqtt://127.0.0.1:${mqttPort}`,
    store: oneOf('CAMPUS_STORE', ['sqlite', 'influx'] as const, 'sqlite'),
    influxUrl: env.CAMPUS_INFLUX_URL || 'http://127.0.0.1:8086',
    influxDb: env.CAMPUS_INFLUX_DB || 'campus',
    sim: flag('CAMPUS_SIM', defaults.sim ?? false),
    simBackfillDays: integer('CAMPUS_SIM_BACKFILL_DAYS', 28, 0, 35, 'days'),
    rawRetentionDays: integer('CAMPUS_RAW_RETENTION_DAYS', 90, 36, 3650, 'days'),
    spoolMaxMb: integer('CAMPUS_SPOOL_MAX_MB', 1024, 1, 1_000_000, 'MB'),
  };
  if (!/^mqtts?:\/\//.test(knobs.mqttUrl)) problems.push(`CAMPUS_MQTT_URL=${knobs.mqttUrl}: must start with mqtt:// or mqtts://`);
  if (problems.length) {
    throw new CampusError('CAMPUS_ERR_KNOB', `invalid environment:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
  return Object.freeze(knobs);
}
