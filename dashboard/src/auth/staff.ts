/**
 * Staff accounts: CAMPUS_DATA_DIR/secrets/staff.json (0600), passwords as scrypt hashes. Roles map
 * to the trades whose tickets a person may handle; the office admin handles all of them.
 * On first start an `admin` account is created and its password written once to
 * secrets/initial-admin-password (0600), never to the log. `add` refuses a name that exists (it
 * used to reset its password silently); `reset` and `setPassword` change one, and end every
 * session of that account (revoked-sessions.ts). A record may carry a phone and a WeCom user id
 * (for mentions in notifications), kept for the office: only the office's account list shows them.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { hashSecret, secretsDir, verifySecret, writeFileAtomic, type Log } from '@campus/runtime';
import { RevokedSessions } from './revoked-sessions.ts';
import { ROLES, type Role } from './roles.ts';
import { SESSION_TTL_MS } from './session.ts';

export { ROLE_LABELS_ZH, ROLE_TRADES, ROLES, type Role } from './roles.ts';

export interface StaffUser {
  username: string;
  name: string;
  role: Role;
  hash: string;
  disabled?: boolean;
  createdAt: string;
  /** for the office only (and, later, notifications) */
  phone?: string;
  /** WeCom (企业微信) user id, for @-mentions in notifications */
  wecomUserId?: string;
  /** when the password was last set */
  passwordAt?: string;
}

/** What the office may edit on an account besides its password. */
export interface StaffProfile {
  name?: string;
  phone?: string;
  wecomUserId?: string;
}

/** a new password: at least this long */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 200;
const PHONE = /^\+?[0-9][0-9 -]{2,19}$/;
const WECOM_ID = /^[A-Za-z0-9_.@-]{1,64}$/;

/** A refusal the caller can show as it is (an unknown account, a name taken, a bad value). */
export class StaffError extends Error {
  constructor(
    message: string,
    readonly reason: 'not_found' | 'exists' | 'bad_request',
  ) {
    super(message);
  }
}

const USERNAME = /^[a-z0-9][a-z0-9_.-]{1,31}$/;

export class StaffDirectory {
  private users = new Map<string, StaffUser>();
  private mtime = 0;
  readonly path: string;

  constructor(
    dataDir: string,
    /** where a new password ends the account's sessions (Auth passes its own) */
    private readonly revoked = new RevokedSessions(dataDir, SESSION_TTL_MS),
  ) {
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

  private existing(username: string): StaffUser {
    this.fresh();
    const u = this.users.get(username);
    if (!u) throw new StaffError(`no account "${username}"`, 'not_found');
    return u;
  }

  /** Adds an account; returns its password, to be shown once. An existing name is refused. */
  async add(username: string, name: string, role: Role): Promise<string> {
    if (!USERNAME.test(username)) throw new StaffError(`username "${username}": 2-32 lower-case letters, digits, "_", "-" or "."`, 'bad_request');
    if (!(ROLES as readonly string[]).includes(role)) throw new StaffError(`role must be one of ${ROLES.join(', ')}`, 'bad_request');
    this.fresh();
    if (this.users.has(username)) throw new StaffError(`account ${username} exists; use \`campus user reset ${username}\``, 'exists');
    const password = randomBytes(9).toString('base64url');
    const now = new Date().toISOString();
    this.users.set(username, { username, name, role, hash: await hashSecret(password), createdAt: now, passwordAt: now });
    this.save();
    return password;
  }

  /** A new random password for an existing account (shown once); its sessions end. */
  async reset(username: string): Promise<string> {
    const password = randomBytes(9).toString('base64url');
    await this.setPassword(username, password);
    return password;
  }

  /** Sets the password; every session of the account issued until now ends. */
  async setPassword(username: string, password: string, now = Date.now()): Promise<void> {
    if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH)
      throw new StaffError(`a password has ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`, 'bad_request');
    const hash = await hashSecret(password);
    const u = this.existing(username); // after the hash: another change may have come in meanwhile
    this.users.set(username, { ...u, hash, passwordAt: new Date(now).toISOString() });
    this.save();
    this.revoked.revokeUser(username, now);
  }

  /** The office edits a name, phone or WeCom id ('' clears the phone or the id). */
  updateProfile(username: string, profile: StaffProfile): StaffUser {
    const u = this.existing(username);
    const next: StaffUser = { ...u };
    if (profile.name !== undefined) {
      const name = profile.name.trim();
      if (!name || name.length > 40) throw new StaffError('a name has 1 to 40 characters', 'bad_request');
      next.name = name;
    }
    for (const [key, pattern, what] of [
      ['phone', PHONE, 'a phone number: digits, spaces, "-", an optional leading "+"'],
      ['wecomUserId', WECOM_ID, 'a WeCom user id: up to 64 letters, digits, "_", ".", "@" or "-"'],
    ] as const) {
      const value = profile[key]?.trim();
      if (value === undefined) continue;
      if (value === '') delete next[key];
      else if (!pattern.test(value)) throw new StaffError(what, 'bad_request');
      else next[key] = value;
    }
    this.users.set(username, next);
    this.save();
    return next;
  }

  setDisabled(username: string, disabled: boolean): void {
    const u = this.existing(username);
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
