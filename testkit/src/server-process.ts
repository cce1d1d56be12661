/**
 * A real server binary a test starts and stops (influxd, redis-server): spawned with its output
 * kept for the error message, ready when `ready()` says so, stopped with SIGTERM (or SIGKILL) and
 * waited for. `start()` after `stop()` runs it again with the same arguments (outage tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { waitFor, WaitAborted } from './wait.ts';

export interface ServerProcess {
  /** true while the process runs */
  readonly running: boolean;
  readonly pid: number | undefined;
  start(): Promise<void>;
  /** SIGTERM and wait for the exit (SIGKILL with `hard`) */
  stop(hard?: boolean): Promise<void>;
  /** stop and remove its data */
  remove(): Promise<void>;
}

export function serverProcess(
  name: string,
  command: string,
  args: string[],
  ready: () => Promise<boolean>,
  data: { remove(): void },
  timeoutMs = 60_000,
): ServerProcess {
  let child: ChildProcess | undefined;
  let output = '';
  const server: ServerProcess = {
    get running() {
      return Boolean(child && child.exitCode === null && child.signalCode === null);
    },
    get pid() {
      return child?.pid;
    },
    async start() {
      if (server.running) return;
      output = '';
      const proc = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      child = proc;
      const keep = (b: Buffer) => (output = (output + b.toString()).slice(-4000));
      proc.stdout!.on('data', keep);
      proc.stderr!.on('data', keep);
      proc.on('error', (err) => (output += `\n${err.message}`));
      await waitFor(
        name,
        async () => {
          if (proc.exitCode !== null) throw new WaitAborted(`${name} exited with ${proc.exitCode}:\n${output}`);
          try {
            return await ready();
          } catch {
            return false;
          }
        },
        { timeoutMs },
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
      data.remove();
    },
  };
  return server;
}
