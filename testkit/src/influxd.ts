/**
 * A real influxd (Debian's 1.6.7) for a test: its own config, data under a temp dir, HTTP on a
 * free port of 127.0.0.1. `stop()` and `start()` again keep the data and the port (outage tests).
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { tempDir } from './temp.ts';
import { freePort } from './system.ts';
import { serverProcess, type ServerProcess } from './server-process.ts';

export const INFLUXD = ['/usr/bin/influxd', '/usr/local/bin/influxd'].find((p) => existsSync(p));

export interface Influxd extends ServerProcess {
  url: string;
  port: number;
  dir: string;
}

export async function startInfluxd(): Promise<Influxd> {
  if (!INFLUXD) throw new Error("influxd is not installed: run `npm run test:all` (scripts/install-test-deps.sh installs Debian's influxdb)");
  const dir = tempDir('campus-influxd-');
  const port = await freePort();
  const rpcPort = await freePort();
  const config = join(dir.path, 'influxdb.conf');
  writeFileSync(
    config,
    `reporting-disabled = true
bind-address = "127.0.0.1:${rpcPort}"
[meta]
  dir = "${dir.path}/meta"
[data]
  dir = "${dir.path}/data"
  wal-dir = "${dir.path}/wal"
  query-log-enabled = false
[http]
  bind-address = "127.0.0.1:${port}"
  log-enabled = false
[monitor]
  store-enabled = false
[continuous_queries]
  enabled = false
`,
  );
  const url = `http://127.0.0.1:${port}`;
  const proc = serverProcess(`influxd on port ${port}`, INFLUXD, ['run', '-config', config], async () => (await fetch(`${url}/ping`)).status === 204, dir);
  const server: Influxd = Object.assign(proc, { url, port, dir: dir.path });
  await server.start();
  return server;
}

/**
 * A suite's influxd and temp dir: started before its tests, removed after them.
 * `const suite = influxdSuite();` then `suite.influxd.url`, `suite.dir`.
 */
export function influxdSuite(): { readonly influxd: Influxd; readonly dir: string } {
  let influxd: Influxd | undefined;
  const dir = tempDir();
  beforeAll(async () => {
    influxd = await startInfluxd();
  });
  afterAll(async () => {
    await influxd?.remove();
    dir.remove();
  });
  return {
    get influxd() {
      if (!influxd) throw new Error('influxd is not started yet (use it inside a test or a hook)');
      return influxd;
    },
    dir: dir.path,
  };
}
