/**
 * Replays recorded series (public data sets laid onto campus devices) through detection in
 * simulated time, as eval/src/replay.ts replays the simulator: each device reports on its own
 * interval, readings go through the detection engine in time order, the engine ticks, findings
 * become tickets in a real ticket service on a temporary SQLite file, and a simulated office
 * resolves a ticket 30 min after its condition cleared. No MQTT, no wall-clock waits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Reading, Ticket } from '@campus/contract';
import { DetectionEngine } from '@campus/detection';
import { TicketService, TicketStore } from '@campus/repairs';
import { createLog, openDb } from '@campus/runtime';
import type { Campus } from '@campus/site';

/** A device whose readings come from a series: `values(ts)` is what it reports at `ts`. */
export interface SeriesDevice {
  id: string;
  values(ts: number): Reading['values'];
}

export interface SeriesReplayOptions {
  campus: Campus;
  from: number;
  to: number;
  devices: SeriesDevice[];
  tickMs?: number;
}

export interface SeriesReplayResult {
  tickets: Ticket[];
  readings: number;
  wallMs: number;
}

const OFFICE_EVERY_MS = 10 * 60_000;
const OFFICE_AFTER_CLEARED_MS = 30 * 60_000;

export function replaySeries(opts: SeriesReplayOptions): SeriesReplayResult {
  const started = performance.now();
  const engine = new DetectionEngine([opts.campus]);
  const dir = mkdtempSync(join(tmpdir(), 'campus-eval-real-'));
  const db = openDb(join(dir, 'eval.db'));
  const tickets = new TicketService(new TicketStore(db), [opts.campus], createLog('eval-real'));
  const tickMs = opts.tickMs ?? 30_000;
  let readings = 0;
  let anyOpen = false;
  try {
    const next = opts.devices.map((d) => {
      const config = opts.campus.device(d.id);
      if (!config) throw new Error(`no device ${d.id} in the replay campus`);
      return { device: d, kind: config.kind, every: config.reportingIntervalS * 1000, at: opts.from, seq: 0 };
    });
    for (let tick = opts.from; tick < opts.to; tick += tickMs) {
      const end = tick + tickMs;
      const due: { n: (typeof next)[number]; at: number }[] = [];
      for (const n of next) {
        while (n.at < end) {
          due.push({ n, at: n.at });
          n.at += n.every;
        }
      }
      due.sort((a, b) => a.at - b.at);
      for (const { n, at } of due) {
        const reading: Reading = {
          siteId: opts.campus.site.id,
          deviceId: n.device.id,
          kind: n.kind,
          ts: at,
          seq: n.seq++,
          receivedAt: at,
          values: n.device.values(at),
        };
        readings++;
        const found = engine.onReading(reading);
        if (found.length) {
          tickets.apply(found);
          anyOpen = true;
        }
      }
      const found = engine.tick(end);
      if (found.length) {
        tickets.apply(found);
        anyOpen = true;
      }
      // the office looks only while some ticket may be open (listing costs more than a reading)
      if (anyOpen && (tick - opts.from) % OFFICE_EVERY_MS === 0) {
        const open = tickets.list({ status: 'open', limit: 10_000 });
        anyOpen = open.length > 0;
        for (const t of open) {
          if (t.clearedAt && Date.parse(t.clearedAt) <= end - OFFICE_AFTER_CLEARED_MS) tickets.act(t.id, 'resolve', 'eval', '现场确认已恢复', { at: end });
        }
      }
    }
    return { tickets: tickets.list({ limit: 100_000 }), readings, wallMs: performance.now() - started };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
