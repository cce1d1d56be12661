/**
 * Read-only display tokens for screens without a login (the wall screen in the office, the lobby
 * board): CAMPUS_DATA_DIR/secrets/display-tokens.json keeps only their SHA-256. Revoking one cuts
 * it off at the next request.
 *
 * A token opens only the pages of its scopes and reads only the API those pages call
 * (DISPLAY_SCOPES; enforced by auth/display-scope.ts on pages and API, and by Auth.identify for the
 * live socket). A token written before scopes existed has none and keeps what a screen used then:
 * the wall and the lobby (LEGACY_SCOPES) — no longer /tickets, /devices or the overview.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { secretsDir, writeFileAtomic } from '@campus/runtime';

export interface DisplayScopeRule {
  /** pages it opens (exact paths) */
  pages: readonly string[];
  /** API paths it may read (GET), each with what lies under it */
  reads: readonly string[];
  /** whether it may hold the live socket (readings and every ticket change) */
  live: boolean;
}

/** What each scope opens. */
export const DISPLAY_SCOPES = {
  /** the office wall screen: its tickets, devices and readings, live */
  wall: { pages: ['/wall'], reads: ['/api/session', '/api/campus', '/api/devices', '/api/tickets', '/api/readings'], live: true },
  /** the lobby board (and the printable competition page): the competition only, no socket */
  lobby: { pages: ['/lobby', '/competition'], reads: ['/api/session', '/api/campus', '/api/competition', '/api/competitions'], live: false },
} as const satisfies Record<string, DisplayScopeRule>;
export type DisplayScope = keyof typeof DISPLAY_SCOPES;
export const DISPLAY_SCOPE_NAMES = Object.keys(DISPLAY_SCOPES) as DisplayScope[];
/** a token from before scopes: the wall and the lobby, as such screens were used */
export const LEGACY_SCOPES: readonly DisplayScope[] = ['wall', 'lobby'];

const under = (path: string, prefix: string) => path === prefix || path.startsWith(prefix + '/');

/** The token's scopes (a token without any: LEGACY_SCOPES). */
export const scopesOf = (t: Pick<DisplayToken, 'scopes'>): readonly DisplayScope[] => (t.scopes?.length ? t.scopes : LEGACY_SCOPES);

/** Whether a token of `scopes` may open this page or read this API path (`live`: hold the socket). */
export function scopeAllows(scopes: readonly DisplayScope[], what: { path: string } | 'live'): boolean {
  return scopes.some((s) => {
    const rule: DisplayScopeRule = DISPLAY_SCOPES[s];
    if (what === 'live') return rule.live;
    const path = what.path.length > 1 ? what.path.replace(/\/+$/, '') : what.path;
    return rule.pages.includes(path) || rule.reads.some((r) => under(path, r));
  });
}

/** "wall,lobby" -> the scopes, or an error naming the known ones. */
export function parseScopes(text: string): DisplayScope[] {
  const list = [...new Set(text.split(',').map((s) => s.trim()).filter(Boolean))];
  const unknown = list.filter((s) => !(DISPLAY_SCOPE_NAMES as string[]).includes(s));
  if (!list.length || unknown.length) throw new Error(`scope must be one or more of ${DISPLAY_SCOPE_NAMES.join(', ')} (comma-separated), not "${text}"`);
  return list as DisplayScope[];
}

export interface DisplaySettings {
  chime?: boolean;
}

export interface DisplayToken {
  id: string;
  name: string;
  /** absent on tokens made before scopes: LEGACY_SCOPES */
  scopes?: DisplayScope[];
  /** the screen's own settings, given to its page by /api/session (the wall's chime, on without a click) */
  settings?: DisplaySettings;
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

  /** A new token for a named screen, opening the pages of `scopes`; returns the token itself, shown once. */
  add(name: string, scopes: readonly DisplayScope[] = LEGACY_SCOPES, settings: DisplaySettings = {}): { id: string; token: string } {
    this.fresh();
    if (!scopes.length || scopes.some((s) => !(DISPLAY_SCOPE_NAMES as string[]).includes(s))) throw new Error(`scopes must be among ${DISPLAY_SCOPE_NAMES.join(', ')}`);
    const token = randomBytes(18).toString('base64url');
    const id = `d${(this.tokens.length + 1).toString().padStart(2, '0')}-${randomBytes(2).toString('hex')}`;
    this.tokens = [
      ...this.tokens,
      { id, name, scopes: [...scopes], ...(Object.keys(settings).length ? { settings } : {}), sha256: sha(token), createdAt: new Date().toISOString() },
    ];
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
