/**
 * What the dashboard does against a hostile network, with the defaults a school LAN needs. Every
 * value can be set through the dashboard's options (`security`); the runner maps environment
 * knobs onto them. Invalid values are all listed in one error.
 */
export interface SecurityOptions {
  /** failed logins per address (IPv6: per /64) and per account within `loginWindowMs`; then 429 with Retry-After */
  loginMaxFailures: number;
  loginWindowMs: number;
  /** largest request body (JSON only), and largest socket.io message */
  bodyLimitBytes: number;
  /** node's http server: the whole header block must arrive within this */
  headersTimeoutMs: number;
  /** node's http server: the whole request, headers and body, within this */
  requestTimeoutMs: number;
  /** a request body must arrive within this once its headers are in (408, connection closed) */
  bodyTimeoutMs: number;
  /** an idle keep-alive connection is closed after this */
  keepAliveTimeoutMs: number;
  /** how often node looks for connections over the two timeouts above (its own default is 30 s) */
  timeoutCheckMs: number;
  /** express "trust proxy": false (default: the client is the TCP peer), true, or e.g. "loopback" when HTTPS is terminated by a local proxy */
  trustProxy: boolean | string;
  /** connected sockets are checked again this often: a revoked display token or a disabled account is cut off */
  socketRevalidateMs: number;
}

export const SECURITY_DEFAULTS: Readonly<SecurityOptions> = Object.freeze({
  loginMaxFailures: 5,
  loginWindowMs: 15 * 60_000,
  bodyLimitBytes: 16 * 1024,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 30_000,
  bodyTimeoutMs: 10_000,
  keepAliveTimeoutMs: 5_000,
  timeoutCheckMs: 1_000,
  trustProxy: false,
  socketRevalidateMs: 30_000,
});

const POSITIVE: readonly (keyof SecurityOptions)[] = [
  'loginMaxFailures',
  'loginWindowMs',
  'bodyLimitBytes',
  'headersTimeoutMs',
  'requestTimeoutMs',
  'bodyTimeoutMs',
  'keepAliveTimeoutMs',
  'timeoutCheckMs',
  'socketRevalidateMs',
];

/** The defaults with `given` on top, checked. */
export function securityOptions(given: Partial<SecurityOptions> = {}): SecurityOptions {
  const opts: SecurityOptions = { ...SECURITY_DEFAULTS, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };
  const problems: string[] = [];
  for (const key of POSITIVE) {
    const v = opts[key];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) problems.push(`${key}: must be a whole number >= 1 (got ${String(v)})`);
  }
  if (opts.headersTimeoutMs > opts.requestTimeoutMs)
    problems.push(`headersTimeoutMs (${opts.headersTimeoutMs}) must not exceed requestTimeoutMs (${opts.requestTimeoutMs})`);
  if (opts.bodyTimeoutMs > opts.requestTimeoutMs)
    problems.push(`bodyTimeoutMs (${opts.bodyTimeoutMs}) must not exceed requestTimeoutMs (${opts.requestTimeoutMs})`);
  if (typeof opts.trustProxy !== 'boolean' && (typeof opts.trustProxy !== 'string' || !opts.trustProxy.trim()))
    problems.push('trustProxy: false, true, or addresses / subnets / "loopback"');
  if (problems.length) throw new Error(`invalid dashboard security options:\n  - ${problems.join('\n  - ')}`);
  return opts;
}
