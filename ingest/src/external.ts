/**
 * Off-the-shelf messages to ledger readings: the campus file maps an external identity (and
 * channel or component) to a ledger device. Values are merged over what that device last said
 * (a Shelly sends only what changed; a fridge may have a thermometer and a door contact), older
 * than half an hour is forgotten, and the result goes through the same validation as a native
 * message. Only what passed is remembered: a refused message leaves the merge as it was, so one
 * bad value (a register of 1e27 kWh) cannot spoil the updates that follow it. An identity the campus file does not know is not stored: it is listed as pending,
 * for staff to adopt on /devices.
 */
import { externalSourceProblem, TELEMETRY_FIELDS, validateTelemetry, type TelemetryLimits } from '@campus/contract';
import type { ExternalMessage, ExternalPart } from '@campus/contract';
import type { Outcome } from './outcome.ts';
import type { PendingDevice } from '@campus/store';
import type { DeviceRegistry, ExternalMapping } from './registry.ts';
import { beyondRegister } from './register-range.ts';

const STALE_MS = 30 * 60_000;
const PHASED = ['currentA', 'voltageV'] as const;

/** The parts of a message meant for this mapping (its channel or component; otherwise all). */
function partsFor(parts: ExternalPart[], m: ExternalMapping): ExternalPart[] {
  if (m.source.channel !== undefined) return parts.filter((p) => p.channel === m.source.channel);
  if (m.source.component !== undefined) return parts.filter((p) => p.component === m.source.component);
  if (parts.some((p) => p.channel !== undefined)) return parts.filter((p) => p.channel === 1);
  const first = parts[0]?.component;
  return first === undefined ? parts : parts.filter((p) => p.component === first);
}

export class ExternalMapper {
  /** per ledger device: field -> last value and when it came */
  private readonly last = new Map<string, Map<string, { value: unknown; at: number }>>();

  constructor(private readonly registry: DeviceRegistry) {}

  map(msg: ExternalMessage, topic: string, payload: Buffer, now: number, limits: TelemetryLimits): Outcome[] {
    const mappings = this.registry.external(msg.format, msg.id, msg.bridge);
    if (!mappings.length) return this.pending(msg, topic, payload, now);
    const out: Outcome[] = [];
    for (const m of mappings) {
      if (msg.status) {
        out.push({ type: 'status', status: { deviceId: m.config.id, status: msg.status, at: now } });
        continue;
      }
      const parts = partsFor(msg.parts, m);
      // nothing new for this device in this message (another channel's update): no reading
      if (!parts.some((p) => Object.keys(p.fields).length)) continue;
      // merged into a copy: a message refused below leaves nothing behind to spoil the next ones
      const state = new Map<string, { value: unknown; at: number }>(this.last.get(m.config.id));
      for (const p of parts) for (const [k, v] of Object.entries(p.fields)) state.set(k, { value: v, at: now });
      const values: Record<string, unknown> = {};
      for (const [k, { value, at }] of state) if (now - at <= STALE_MS) values[k] = value;
      for (const f of PHASED) {
        const phases = ['a', 'b', 'c'].map((p) => values[`${f}_${p}`]);
        for (const p of ['a', 'b', 'c']) delete values[`${f}_${p}`];
        if (phases.every((x) => typeof x === 'number')) values[f] = phases;
      }
      const kind = m.config.kind;
      const missing = Object.entries(TELEMETRY_FIELDS[kind]).find(([name, spec]) => spec.required && values[name] === undefined);
      if (missing) {
        this.last.set(m.config.id, state);
        out.push({ type: 'ignored', reason: `${msg.format} ${msg.id} -> ${m.config.id}: waiting for ${missing[0]} (a ${kind} needs it)` });
        continue;
      }
      const ts = msg.ts ?? this.localTime(msg.localTime, m.siteId) ?? now;
      const checked = validateTelemetry(kind, { ...values, ts, seq: 0 }, now, limits);
      const refused = checked.ok ? beyondRegister(m.config, checked.value.values) : checked.reason;
      if (!checked.ok || refused) {
        out.push({ type: 'rejected', reason: `${msg.format} ${msg.id} -> ${m.config.id}: ${refused}` });
        continue;
      }
      this.last.set(m.config.id, state);
      out.push({ type: 'reading', reading: { siteId: m.siteId, deviceId: m.config.id, kind, receivedAt: now, ...checked.value } });
    }
    return out.length ? out : [{ type: 'ignored', reason: `${msg.format} ${msg.id}: no mapped channel in this message` }];
  }

  private pending(msg: ExternalMessage, topic: string, payload: Buffer, now: number): Outcome[] {
    // an identity the campus file could never name (a "/" in a Zigbee friendly name, 10 KB of id) is not listed for adoption
    const problem = externalSourceProblem({ format: msg.format, id: msg.id, bridge: msg.bridge });
    if (problem) return [{ type: 'rejected', reason: `${msg.format} ${msg.id.slice(0, 64)} cannot be adopted: ${problem}` }];
    if (msg.status || !msg.parts.length) return [{ type: 'ignored', reason: `${msg.format} ${msg.id} is not in the campus file yet` }];
    const sites = this.registry.siteIds;
    return msg.parts.map((p) => ({
      type: 'pending' as const,
      pending: {
        format: msg.format,
        id: msg.id,
        ...(msg.bridge ? { bridge: msg.bridge } : {}),
        ...(p.channel !== undefined && msg.parts.length > 1 ? { channel: p.channel } : {}),
        ...(p.component !== undefined ? { component: p.component } : {}),
        ...(sites.length === 1 ? { siteId: sites[0] } : {}),
        topic,
        payload: payload.toString('utf8').slice(0, 2048),
        fields: p.fields,
        seenAt: now,
      },
    }));
  }

  /** Tasmota's zone-less local time, read in the site's zone. */
  private localTime(text: string | undefined, siteId: string): number | undefined {
    if (!text || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(text)) return undefined;
    const calendar = this.registry.campusOf(siteId)?.calendar;
    const guess = Date.parse(`${text}Z`);
    if (!calendar || !Number.isFinite(guess)) return undefined;
    return guess - calendar.offsetAt(guess - calendar.offsetAt(guess));
  }
}
