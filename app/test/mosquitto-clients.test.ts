/**
 * The broker against a real third-party client (Debian's mosquitto_pub): good credentials are
 * stored; bad, missing or foreign credentials are refused and store nothing.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteReadingStore } from '@campus/store';
import { dbPath } from '@campus/runtime';
import { mosquittoPub as runMosquittoPub, REPO_ROOT, startStack, waitFor, type Stack } from '@campus/testkit';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack?.stop());

const mosquittoPub = (args: string[]) => runMosquittoPub(new URL(stack.mqttUrl).port, args);

const counter = (name: string, labels: Record<string, string> = {}) => stack.metrics.counter(name, '').get(labels);
const lastOf = (id: string) => {
  const s = new SqliteReadingStore(dbPath(stack.dataDir), { readonly: true });
  try {
    return s.lastReadings().find((l) => l.deviceId === id);
  } finally {
    s.close();
  }
};

describe('mosquitto_pub against the broker', () => {
  it('stores a reading published with the device’s own credentials', async () => {
    const ts = Date.now();
    const r = await mosquittoPub([
      '-i',
      'wm-main',
      '-u',
      'wm-main',
      '-P',
      stack.devicePassword('wm-main'),
      '-t',
      'campus/dongnan/wm-main/telemetry',
      '-m',
      JSON.stringify({ ts, seq: 1, totalM3: 42001.5, flowM3h: 3.2 }),
    ]);
    expect(r.error).toBeUndefined();
    expect(r.status, r.stderr).toBe(0);
    const stored = await waitFor('the reading in the store', () => lastOf('wm-main'));
    expect(stored).toMatchObject({ ts, seq: 1, values: { totalM3: 42001.5, flowM3h: 3.2 } });
  });

  it('refuses bad and missing credentials', async () => {
    const before = counter('campus_mqtt_auth_failures_total');
    const bad = await mosquittoPub(['-i', 'wm-canteen', '-u', 'wm-canteen', '-P', 'not-the-password', '-t', 'campus/dongnan/wm-canteen/telemetry', '-m', '{}']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/bad user name or password/i);
    const anonymous = await mosquittoPub(['-i', 'wm-canteen', '-t', 'campus/dongnan/wm-canteen/telemetry', '-m', '{}']);
    expect(anonymous.status).not.toBe(0);
    expect(anonymous.stderr).toMatch(/not authori[sz]ed/i);
    expect(counter('campus_mqtt_auth_failures_total')).toBe(before + 2);
  });

  it('refuses a device publishing on another device’s topic, and stores nothing for it', async () => {
    const before = counter('campus_mqtt_refused_total', { op: 'publish' });
    const r = await mosquittoPub([
      '-i',
      'wm-dorm-1',
      '-u',
      'wm-dorm-1',
      '-P',
      stack.devicePassword('wm-dorm-1'),
      '-t',
      'campus/dongnan/wm-canteen/telemetry',
      '-m',
      JSON.stringify({ ts: Date.now(), seq: 1, totalM3: 1 }),
    ]);
    expect(r.status).not.toBe(0);
    await waitFor('the refusal to be counted', () => counter('campus_mqtt_refused_total', { op: 'publish' }) === before + 1);
    // a device cannot log in under another device's client id either
    const hijack = await mosquittoPub([
      '-i',
      'wm-canteen',
      '-u',
      'wm-dorm-1',
      '-P',
      stack.devicePassword('wm-dorm-1'),
      '-t',
      'campus/dongnan/wm-dorm-1/telemetry',
      '-m',
      '{}',
    ]);
    expect(hijack.status).not.toBe(0);
    // a later good reading of another device is stored, proving ingest had every chance to store the refused one
    await mosquittoPub([
      '-i',
      'wm-dorm-2',
      '-u',
      'wm-dorm-2',
      '-P',
      stack.devicePassword('wm-dorm-2'),
      '-t',
      'campus/dongnan/wm-dorm-2/telemetry',
      '-m',
      JSON.stringify({ ts: Date.now(), seq: 1, totalM3: 7 }),
    ]);
    await waitFor('the good reading', () => lastOf('wm-dorm-2'));
    expect(lastOf('wm-canteen')).toBeUndefined();
    expect(lastOf('wm-dorm-1')).toBeUndefined();
  });

  it('keeps a malformed payload in the dead-letter table with the reason', async () => {
    const r = await mosquittoPub([
      '-i',
      'fr-sample',
      '-u',
      'fr-sample',
      '-P',
      stack.devicePassword('fr-sample'),
      '-t',
      'campus/dongnan/fr-sample/telemetry',
      '-m',
      '{"ts": "yesterday", "tempC": 4}',
    ]);
    expect(r.status, r.stderr).toBe(0);
    const letter = await waitFor('a dead letter', () => {
      const s = new SqliteReadingStore(dbPath(stack.dataDir), { readonly: true });
      try {
        return s.deadLetters(10).find((d) => d.topic === 'campus/dongnan/fr-sample/telemetry');
      } finally {
        s.close();
      }
    });
    expect(letter.reason).toMatch(/ts "yesterday" is not ISO 8601/);
    expect(letter.payload.toString()).toBe('{"ts": "yesterday", "tempC": 4}');
    expect(counter('campus_readings_rejected_total')).toBeGreaterThanOrEqual(1);
  });
});

describe('issuing a secret to a real device', () => {
  it('the new secret works at once on the running broker, and the old one stops working', { timeout: 60_000 }, async () => {
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'app/src/cli.ts', 'device', 'secret', 'em-g2c5'], {
        cwd: REPO_ROOT,
        env: { ...process.env, CAMPUS_DATA_DIR: stack.dataDir },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      child.stdout.on('data', (d) => (text += d));
      child.on('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`exit ${code}: ${text}`))));
    });
    const secret = /password\s+:\s+(\S+)/.exec(out)?.[1];
    expect(secret).toBeDefined();
    expect(out).toContain('campus/dongnan/em-g2c5/telemetry');
    const publish = (password: string) =>
      mosquittoPub([
        '-i',
        'em-g2c5',
        '-u',
        'em-g2c5',
        '-P',
        password,
        '-t',
        'campus/dongnan/em-g2c5/telemetry',
        '-m',
        JSON.stringify({ ts: Date.now(), seq: 1, totalKWh: 5 }),
      ]);
    await waitFor('the broker to accept the new secret', async () => (await publish(secret!)).status === 0, { timeoutMs: 20_000, everyMs: 250 });
    expect((await publish(stack.devicePassword('em-g2c5'))).stderr).toMatch(/bad user name or password/i);
    await waitFor('the reading stored', () => lastOf('em-g2c5'));
  });

  it('refuses a device that is not in the campus file', async () => {
    const code = await new Promise<number | null>((resolve) => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'app/src/cli.ts', 'device', 'secret', 'em-nowhere'], {
        cwd: REPO_ROOT,
        env: { ...process.env, CAMPUS_DATA_DIR: stack.dataDir },
        stdio: 'ignore',
      });
      child.on('close', resolve);
    });
    expect(code).toBe(1);
  });
});
