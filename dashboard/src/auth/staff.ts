/**
 * Staff accounts: CAMPUS_DATA_DIR/secrets/staff.json (0600), passwords as scrypt hashes. Roles map
 * to the trades whose tickets a person may handle; the office admin handles all of them.
 * On first start an `admin` account is created and its password written once to
 * secrets/initial-admin-password (0600), never to the log.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { TRADES, type Trade } from '@campus/contract';
import { hashSecret, secretsDir, verifySecret, writeFileAtomic, type Log } from '@campus/runtime';

export const ROLES = ['admin', 'electrician', 'plumber', 'carpenter', 'it', 'canteen'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_TRADES: Readonly<Record<Role, readonly Trade[]>> = {
  admin: TRADES,
  electrician: ['electrician'],
  plumber: ['plumber'],
  carpenter: ['carpenter'],
  it: ['it'],
  canteen: ['canteen'],
};
export const ROLE_LABELS_ZH: Readonly<Record<Role, string>> = {
  admin: '总务处管理员',
  electrician: '电工',
  plumber: '水工',
  carpenter: '木工',
  it: '电教',
  canteen: '食堂管理员',
};

export interface StaffUser {
  username: string;
  name: string;
  role: Role;
  hash: string;
  disabled?: boolean;
  createdAt: string;
}

const USERNAME = /^[a-z0-9][a-z0-9_.-]{1,31}$/;

export class StaffDirectory {
  private users = new Map<string, StaffUser>();
  private mtime = 0;
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(secretsDir(dataDir), 'staff.json');
  }

  /** Re-reads the file when it changed (accounts added from the CLI apply without a restart). */
  private fresh(): void {
    if (!existsSync(this.path)) return;
    const m = statSync(this.path).mtimeMs;
    if (m === this.mtime) return;
    const list = JSON.parse(readFileSync(this.path, 'utf8')) as { users: StaffUser[] };
    this.users = new Map(list.users.map((u) => [u.username, u]));
    this.mtime = m;
  }

  get(username: string): StaffUser | undefined {
    this.fresh();
    return this.users.get(username);
  }

  list(): StaffUser[] {
    this.fresh();
    return [...this.users.values()];
  }

  private save(): void {
    writeFileAtomic(this.path, JSON.stringify({ users: [...this.users.values()] }, null, 2) + '\n');
    this.mtime = statSync(this.path).mtimeMs;
  }

  /** Adds (or resets) an account; returns its new password, to be shown once. */
  async add(username: string, name: string, role: Role): Promise<string> {
    if (!USERNAME.test(username)) throw new Error(`username "${username}": 2-32 lower-case letters, digits, "_", "-" or "."`);
    if (!(ROLES as readonly string[]).includes(role)) throw new Error(`role must be one of ${ROLES.join(', ')}`);
    this.fresh();
    const password = randomBytes(9).toString('base64url');
    this.users.set(username, { username, name, role, hash: await hashSecret(password), createdAt: new Date().toISOString() });
    this.save();
    return password;
  }

  setDisabled(username: string, disabled: boolean): void {
    this.fresh();
    const u = this.users.get(username);
    if (!u) throw new Error(`no account "${username}"`);
    this.users.set(username, { ...u, disabled });
    this.save();
  }

  async verify(username: string, password: string): Promise<StaffUser | null> {
    const user = this.get(username);
    if (!user || user.disabled) {
      await hashSecret(password); // same time whether or not the account exists
      return null;
    }
    return (await verifySecret(password, user.hash)) ? user : null;
  }

  /** First start: an admin account, its password in secrets/initial-admin-password. */
  async ensureInitialAdmin(log: Log): Promise<void> {
    this.fresh();
    if (this.users.size) return;
    const password = await this.add('admin', '总务处管理员', 'admin');
    const file = join(secretsDir(this.path.replace(/\/secrets\/staff\.json$/, '')), 'initial-admin-password');
    writeFileAtomic(file, password + '\n');
    log.info(`created the staff account "admin"; its password is in ${file} (add accounts: npm run campus -- user add)`);
  }
}
