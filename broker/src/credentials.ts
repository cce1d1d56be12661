/**
 * The broker's credential store: CAMPUS_DATA_DIR/secrets/credentials.json, holding only scrypt
 * hashes ("scrypt$N$r$p$salt$hash"), never a password. Written atomically, mode 0600.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CampusError, secretsDir, verifySecret, writeFileAtomic } from '@campus/runtime';
import type { ExternalFormat } from '@campus/contract';

export { hashSecret, verifySecret } from '@campus/runtime';

export type LoginIdentity =
  | { role: 'device'; siteId: string; deviceId: string }
  /** an off-the-shelf device (or bridge, gateway) publishing under its own format's topics */
  | { role: 'external'; siteId: string; format: ExternalFormat; id: string }
  | { role: 'service'; name: string; /** sites it may read; "*" for all */ sites: string[] };

/** Who a connection is: a login, or (interoperability testing only, loopback only) anyone. */
export type Identity = LoginIdentity | { role: 'anonymous'; /** filters it may not subscribe to */ denySubscribe: readonly string[] };

export type CredentialRecord = LoginIdentity & {
  hash: string;
  disabled?: boolean;
  /** how the secret was made: "sim:<key id>" for simulated devices, "issued" for real ones */
  source: string;
  createdAt: string;
};

interface CredentialFile {
  version: 1;
  users: Record<string, CredentialRecord>;
}

export class CredentialStore {
  private users: Record<string, CredentialRecord> = {};
  /** username -> sha256 of a password that verified against the current hash: reconnects skip scrypt */
  private readonly verified = new Map<string, { hash: string; digest: Buffer }>();

  constructor(readonly path: string) {}

  static inDataDir(dataDir: string): CredentialStore {
    return new CredentialStore(join(secretsDir(dataDir), 'credentials.json'));
  }

  load(): this {
    if (!existsSync(this.path)) {
      this.users = {};
      return this;
    }
    try {
      const file = JSON.parse(readFileSync(this.path, 'utf8')) as CredentialFile;
      if (file.version !== 1 || typeof file.users !== 'object') throw new Error('unknown format');
      this.users = Object.assign(Object.create(null), file.users);
    } catch (err) {
      throw new CampusError('CAMPUS_ERR_SECRETS', `cannot read ${this.path}; restore it from backup`, { cause: err });
    }
    return this;
  }

  save(): void {
    const file: CredentialFile = { version: 1, users: this.users };
    writeFileAtomic(this.path, JSON.stringify(file, null, 2) + '\n');
  }

  get(username: string): CredentialRecord | undefined {
    return Object.hasOwn(this.users, username) ? this.users[username] : undefined;
  }

  set(username: string, record: CredentialRecord): void {
    this.users[username] = record;
    this.verified.delete(username);
  }

  /** every login, by username */
  entries(): [string, CredentialRecord][] {
    return Object.entries(this.users);
  }

  get size(): number {
    return Object.keys(this.users).length;
  }

  /** The identity behind a username and password, or null. Disabled users never authenticate. */
  async authenticate(username: string, password: string): Promise<Identity | null> {
    const record = this.get(username);
    if (!record || record.disabled) return null;
    const digest = createHash('sha256').update(password).digest();
    const cached = this.verified.get(username);
    if (cached && cached.hash === record.hash && timingSafeEqual(cached.digest, digest)) return identityOf(record);
    if (!(await verifySecret(password, record.hash))) return null;
    this.verified.set(username, { hash: record.hash, digest });
    return identityOf(record);
  }
}

function identityOf(record: CredentialRecord): Identity {
  switch (record.role) {
    case 'device':
      return { role: 'device', siteId: record.siteId, deviceId: record.deviceId };
    case 'external':
      return { role: 'external', siteId: record.siteId, format: record.format, id: record.id };
    case 'service':
      return { role: 'service', name: record.name, sites: record.sites };
  }
}
