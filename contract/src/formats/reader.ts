/**
 * How the off-the-shelf families read their payloads' fields (strictly, like the native contract)
 * and write them (for the simulator).
 */
import { impossibleDateTime, parseDeviceTime } from '../telemetry.ts';

/**
 * Reads the fields of an off-the-shelf payload as strictly as the native contract reads its own:
 * a field that is absent, or null (Zigbee2MQTT's "not reported yet", Shelly's n_current), stays
 * absent; a field that is there must be what it claims. A string where a number belongs ("12.5"),
 * 1e400 (Infinity once parsed), an object, a time that is no date: the message is refused with the
 * field named. Dropping the field instead would merge the device's last value over it (ingest's mapping)
 * and store a stale value under a new time.
 */
export class FieldReader {
  private readonly problems: string[] = [];

  constructor(private readonly format: string) {}

  private wrong(name: string, want: string, value: unknown): undefined {
    const shown =
      typeof value === 'string' ? `"${value.slice(0, 20)}"` : Array.isArray(value) ? 'an array' : typeof value === 'object' ? 'an object' : String(value);
    this.problems.push(`${name} must be ${want}, got ${shown}`);
    return undefined;
  }

  /** A finite number, or absent. */
  num(value: unknown, name: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
    return this.wrong(name, 'a finite number', value);
  }

  /** W -> kW, Wh -> kWh. */
  kilo(value: unknown, name: string): number | undefined {
    const n = this.num(value, name);
    return n === undefined ? undefined : n / 1000;
  }

  bool(value: unknown, name: string): boolean | undefined {
    if (value === undefined || value === null) return undefined;
    return typeof value === 'boolean' ? value : this.wrong(name, 'true or false', value);
  }

  text(value: unknown, name: string): string | undefined {
    if (value === undefined || value === null) return undefined;
    return typeof value === 'string' ? value : this.wrong(name, 'a string', value);
  }

  /** A JSON object, or absent. */
  obj(value: unknown, name: string): Record<string, unknown> | undefined {
    if (value === undefined || value === null) return undefined;
    return typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : this.wrong(name, 'an object', value);
  }

  /** Device time as the native contract takes it (epoch ms or ISO 8601 with a zone), or absent. */
  time(value: unknown, name: string): number | undefined {
    if (value === undefined || value === null) return undefined;
    const t = parseDeviceTime(value);
    if (t.ok) return t.value;
    this.problems.push(`${name}: ${t.reason}`);
    return undefined;
  }

  /** A zone-less local time (Tasmota's "Time") that names a real instant of the calendar: 30 February is refused, not shifted to 2 March. */
  localTime(value: string, name: string): string | undefined {
    const impossible = impossibleDateTime(value);
    if (!impossible) return value;
    this.problems.push(`${name} "${value.slice(0, 40)}" ${impossible}`);
    return undefined;
  }

  /** The refusal naming every wrong field, or undefined when all were right. */
  rejection(): { type: 'rejected'; reason: string } | undefined {
    return this.problems.length ? { type: 'rejected', reason: `${this.format}: ${this.problems.join('; ')}` } : undefined;
  }
}

/** Drops undefined fields. */
export function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

/** A JSON message on a topic. */
export const jsonMessage = (topic: string, body: unknown): { topic: string; payload: string } => ({ topic, payload: JSON.stringify(body) });

/** Rounded to `digits` decimals (a device's display precision). */
export const round = (x: number, digits = 3): number => Math.round(x * 10 ** digits) / 10 ** digits;
