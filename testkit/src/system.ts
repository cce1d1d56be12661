/**
 * Parts of the system as a user runs them: `node --import tsx <entry>` in a child process, on
 * free ports (port 0, read back from the log) and a temp data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WaitAborted, waitFor } from './wait.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RunningPart {
  child: ChildProcess;
  /** the groups of the `ready` pattern */
  ready: string[];
  output: () => string;
  /** sends a signal (SIGTERM by default) and resolves with the exit code */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startPart(entry: string, env: Record<string, string>, ready: RegExp, timeoutMs = 180_000): Promise<RunningPart> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: REPO_ROOT,
    env: { ...process.env, CAMPUS_HTTP_HOST: '127.0.0.1', CAMPUS_MQTT_HOST: '127.0.0.1', CAMPUS_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const match = await waitFor(
    `${entry} to be ready (${ready})`,
    () => {
      if (child.exitCode !== null) throw new WaitAborted(`${entry} exited with ${child.exitCode}`);
      return ready.exec(out) ?? undefined;
    },
    { timeoutMs },
  ).catch((err) => {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n--- output ---\n${out}`);
  });
  return {
    child,
    ready: match.slice(1),
    output: () => out,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface RunningSystem extends RunningPart {
  httpPort: number;
  mqttPort: number;
  base: string;
}

/** The whole system (`npm start`), with its ports read from the "ready" line. */
export async function startSystem(env: Record<string, string>, timeoutMs = 180_000): Promise<RunningSystem> {
  const part = await startPart(
    'app/src/main.ts',
    { CAMPUS_HTTP_PORT: '0', CAMPUS_MQTT_PORT: '0', CAMPUS_LOG_LEVEL: 'info', ...env },
    /"httpPort":(\d+),"mqttPort":(\d+)/,
    timeoutMs,
  );
  const httpPort = Number(part.ready[0]);
  return { ...part, httpPort, mqttPort: Number(part.ready[1]), base: `http://127.0.0.1:${httpPort}` };
}

/** A port free right now (for a system that must come back on the same port after a restart). */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `npm run campus -- <args>` against a data dir; resolves with its output. */
export function campusCli(dataDir: string | Record<string, string>, ...args: string[]): Promise<string> {
  const env = typeof dataDir === 'string' ? { CAMPUS_DATA_DIR: dataDir } : dataDir;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/src/cli.ts', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`campus ${args.join(' ')}: exit ${code}: ${out}`))));
  });
}
