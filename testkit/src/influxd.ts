/**
 * A real influxd (Debian's 1.6.7) for a test: its own config, data under a temp dir, HTTP on a
 * free port of 127.0.0.1. `stop()` and `start()` again keep the data and the port (outage tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { tempDir } from './temp.ts';
import { freePort } from './system.ts';
import { waitFor, WaitAborted } from './wait.ts';

export const INFLUXD = ['/usr/bin/influxd', '/usr/local/bin/influxd'].find((p) => existsSync(p));

export interface Influxd {
  url: string;
  port: number;
  dir: string;
  /** true while the process runs */
  readonly running: boolean;
  start(): Promise<void>;
  /** SIGTERM and wait for the exit (SIGKILL with `hard`) */
  stop(hard?: boolean): Promise<void>;
  /** stop and remove the data */
  remove(): Promise<void>;
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
  let child: ChildProcess | undefined;
  let output = '';

  const server: Influxd = {
    url,
    port,
    dir: dir.path,
    get running() {
      return Boolean(child && child.exitCode === null && child.signalCode === null);
    },
    async start() {
      if (server.running) return;
      output = '';
      const proc = spawn(INFLUXD!, ['run', '-config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      const keep = (b: Buffer) => (output = (output + b.toString()).slice(-4000));
      proc.stdout!.on('data', keep);
      proc.stderr!.on('data', keep);
      await waitFor(
        `influxd on port ${port}`,
        async () => {
          if (proc.exitCode !== null) throw new WaitAborted(`influxd exited with ${proc.exitCode}:\n${output}`);
          try {
            return (await fetch(`${url}/ping`)).status === 204;
          } catch {
            return false;
          }
        },
        { timeoutMs: 60_000 },
      );
    },
    async stop(hard = false) {
      const proc = child;
      if (!proc || !server.running) return;
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill(hard ? 'SIGKILL' : 'SIGTERM');
      await exited;
    },
    async remove() {
      await server.stop(true);
      dir.remove();
    },
  };
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
