/**
 * Coded errors, in one place. Each code has a message a facilities office or an operator can act on;
 * boundary errors carry their cause (`new CampusError(code, msg, { cause })`).
 */
export const ERROR_CODES = {
  CAMPUS_ERR_CONFIG: 'the campus file is invalid',
  CAMPUS_ERR_KNOB: 'an environment variable has an invalid value',
  CAMPUS_ERR_PORT_IN_USE: 'a port is already in use',
  CAMPUS_ERR_START: 'a part failed to start',
  CAMPUS_ERR_STORE: 'the store failed',
  CAMPUS_ERR_SECRETS: 'the secrets directory cannot be used',
  CAMPUS_ERR_MQTT: 'the MQTT connection failed',
  CAMPUS_ERR_TLS: 'the TLS certificate or key cannot be used',
} as const;
export type ErrorCode = keyof typeof ERROR_CODES;

export class CampusError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CampusError';
  }
}

/** "[ingest] [sqlite] open failed: <cause message>" — context first, then the cause. */
export function describeError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  let text = err.message;
  let cause = err.cause;
  for (let depth = 0; cause instanceof Error && depth < 5; depth++, cause = cause.cause) text += `: ${cause.message}`;
  return text;
}
