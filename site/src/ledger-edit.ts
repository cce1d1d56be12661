/**
 * Adds a device to the campus file on disk, the way the office would by hand: the file keeps its
 * comments and layout (the YAML document is edited, not re-dumped), the whole result is validated
 * first (every problem listed by path, nothing written), and the write is atomic. The running
 * processes pick the device up through ledger-watch.ts.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isSeq, parseDocument } from 'yaml';
import { buildCampus, CampusConfigError } from './load.ts';

export function addDeviceToFile(file: string, device: Record<string, unknown>): void {
  const doc = parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true });
  if (doc.errors.length)
    throw new CampusConfigError(
      file,
      doc.errors.map((e) => e.message.split('\n')[0]!),
    );
  const devices = doc.get('devices', true);
  if (!isSeq(devices)) throw new CampusConfigError(file, ['devices: must be a list']);
  const node = doc.createNode(device);
  // one line per device, like the rest of the ledger
  (node as { flow?: boolean }).flow = true;
  devices.items.push(node);
  buildCampus(doc.toJS(), file); // throws CampusConfigError with every problem, before anything is written
  const tmp = `${file}.adding-${process.pid}`;
  writeFileSync(tmp, doc.toString({ lineWidth: 0 }));
  renameSync(tmp, file);
}
