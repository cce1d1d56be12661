/**
 * A small line logger: `2026-11-23T08:00:00.000Z INFO  [ingest] stored 120 readings {"ms":3}`.
 * Level from CAMPUS_LOG_LEVEL (debug, info, warn, error, silent).
 */
const LEVELS = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;
export type LogLevel = keyof typeof LEVELS;

export interface Log {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(part: string): Log;
}

function threshold(): number {
  const level = (process.env.CAMPUS_LOG_LEVEL ?? 'info').toLowerCase();
  return LEVELS[level as LogLevel] ?? LEVELS.info;
}

export function createLog(part: string): Log {
  const write = (level: Exclude<LogLevel, 'silent'>, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold()) return;
    const extra = fields && Object.keys(fields).length ? ' ' + safeJson(fields) : '';
    const line = `${new Date().toISOString()} ${level.toUpperCase().padEnd(5)} [${part}] ${msg}${extra}\n`;
    (level === 'error' || level === 'warn' ? process.stderr : process.stdout).write(line);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (sub) => createLog(`${part}] [${sub}`),
  };
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value, (_k, v) => (v instanceof Error ? v.message : typeof v === 'bigint' ? String(v) : v));
  } catch {
    return '"(unserialisable)"';
  }
}
