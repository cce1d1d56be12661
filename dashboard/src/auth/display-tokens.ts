/**
 * Read-only display tokens for screens without a login (the wall screen in the office, the lobby
 * board): CAMPUS_DATA_DIR/secrets/display-tokens.json keeps only their SHA-256. Revoking one cuts
 * it off at the next request.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { secretsDir, writeFileAtomic } from '@campus/runtime';

export interface DisplayToken {
  id: string;
  name: string;
  sha256: string;
  createdAt: string;
  revokedAt?: string;
}

const sha = (token: string) => createHash('sha256').update(token).digest('hex');

export class DisplayTokens {
  private tokens: DisplayToken[] = [];
  private mtime = 0;
  readonly path: string;

  constructor(dataDir: string) {
    this.path = join(secretsDir(dataDir), 'display-tokens.json');
  }

  private fresh(): void {
    if (!existsSync(this.path)) return;
    const m = statSync(this.path).mtimeMs;
    if (m === this.mtime) return;
    this.tokens = (JSON.parse(readFileSync(this.path, 'utf8')) as { tokens: DisplayToken[] }).tokens;
    this.mtime = m;
  }

  list(): DisplayToken[] {
    this.fresh();
    return this.tokens;
  }

  /** A new token for a named screen; returns the token itself, shown once. */
  add(name: string): { id: string; token: string } {
    this.fresh();
    const token = randomBytes(18).toString('base64url');
    const id = `d${(this.tokens.length + 1).toString().padStart(2, '0')}-${randomBytes(2).toString('hex')}`;
    this.tokens = [...this.tokens, { id, name, sha256: sha(token), createdAt: new Date().toISOString() }];
    writeFileAtomic(this.path, JSON.stringify({ tokens: this.tokens }, null, 2) + '\n');
    return { id, token };
  }

  revoke(id: string): void {
    this.fresh();
    if (!this.tokens.some((t) => t.id === id)) throw new Error(`no display token "${id}"`);
    this.tokens = this.tokens.map((t) => (t.id === id ? { ...t, revokedAt: new Date().toISOString() } : t));
    writeFileAtomic(this.path, JSON.stringify({ tokens: this.tokens }, null, 2) + '\n');
  }

  verify(token: string | undefined): DisplayToken | null {
    if (!token) return null;
    this.fresh();
    const given = Buffer.from(sha(token));
    return this.tokens.find((t) => !t.revokedAt && timingSafeEqual(Buffer.from(t.sha256), given)) ?? null;
  }
}
