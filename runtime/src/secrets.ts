/**
 * Client-side secrets kept in CAMPUS_DATA_DIR/secrets (directory 0700, files 0600): the keys a
 * service or the simulator uses to log in. The broker itself keeps only scrypt hashes
 * (broker/src/credentials.ts), never these.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { CampusError } from './errors.ts';

export function secretsDir(dataDir: string): string {
  const dir = join(dataDir, 'secrets');
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  } catch (err) {
    throw new CampusError('CAMPUS_ERR_SECRETS', `cannot create ${dir}`, { cause: err });
  }
  return dir;
}

/** Writes a file atomically (temp file, fsync, rename), so a crash never leaves half a file. */
export function writeFileAtomic(path: string, content: string, mode = 0o600): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, content, { mode });
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** Reads a named key, creating it (256 random bits) on first use. */
export function loadOrCreateKey(dataDir: string, name: string): string {
  const path = join(secretsDir(dataDir), `${name}.key`);
  if (existsSync(path)) {
    const key = readFileSync(path, 'utf8').trim();
    if (key.length < 32) throw new CampusError('CAMPUS_ERR_SECRETS', `${path} is too short to be a key; delete it to make a new one`);
    return key;
  }
  const key = randomBytes(32).toString('base64url');
  writeFileAtomic(path, key + '\n');
  return key;
}

/** The MQTT identity of ingest (and other services): username and the password from its key. */
/** The system's own MQTT logins, each with its key in CAMPUS_DATA_DIR/secrets/{name}.key (a dashboard in a process of its own talks to the repairs desk over the broker). */
export const SERVICE_USERS = { ingest: 'svc-ingest', dashboard: 'svc-dashboard' } as const;

/**
 * Simulated devices get a password derived from the simulator key, so the simulator can log in as
 * every device of the ledger without the broker storing any password in clear.
 */
export function simulatedDevicePassword(simKey: string, siteId: string, deviceId: string): string {
  return createHmac('sha256', simKey).update(`${siteId}/${deviceId}`).digest('base64url');
}
