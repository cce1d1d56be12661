/**
 * Ingest's side of split mode, for the sites one ingest reads: their repairs desks answered on the
 * bus, and every stored batch said there per site (contract/src/ops.ts), for the dashboards that run
 * in processes of their own. One ingest serves all its campuses' sites; a district's worker calls
 * this for each site as it takes it up.
 */
import { liveReadingsTopic, liveStatusesTopic, type Reading } from '@campus/contract';
import type { IngestService } from '@campus/ingest';
import { serveDesk } from '@campus/repairs';
import type { Bus, Log } from '@campus/runtime';
import type { Campus } from '@campus/site';
import type { StatusChange } from '@campus/store';

function bySite<T>(items: readonly T[], siteOf: (item: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const site = siteOf(item);
    if (!site) continue;
    const list = out.get(site);
    if (list) list.push(item);
    else out.set(site, [item]);
  }
  return out;
}

/** Serves `campuses`' desks and live feeds from `ingest` (running); resolves to the function that stops. */
export async function serveSites(bus: Bus, ingest: IngestService, campuses: readonly Campus[], log: Log): Promise<() => Promise<void>> {
  const sites = campuses.map((c) => c.site.id);
  const siteOfDevice = (deviceId: string) => campuses.find((c) => c.device(deviceId))?.site.id;
  const say = (topic: string, body: unknown) => void bus.publish(topic, body, 0).catch(() => {});
  const readings = (list: Reading[]) => {
    for (const [site, r] of bySite(list, (x) => x.siteId)) say(liveReadingsTopic(site), r);
  };
  const statuses = (list: StatusChange[]) => {
    for (const [site, s] of bySite(list, (x) => siteOfDevice(x.deviceId))) say(liveStatusesTopic(site), s);
  };
  const tickets = ingest.detection?.tickets;
  const stopDesk = tickets ? await serveDesk(bus, tickets, sites, log) : async () => {};
  ingest.on('readings', readings);
  ingest.on('statuses', statuses);
  return async () => {
    ingest.off('readings', readings);
    ingest.off('statuses', statuses);
    await stopDesk();
  };
}
