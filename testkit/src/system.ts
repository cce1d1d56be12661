/**
 * The whole system as a user runs it: `node --import tsx app/src/main.ts` in a child process,
 * on free ports (port 0, read back from the "ready" log line) and a temp data dir.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { WaitAborted, waitFor } from './wait.ts';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface RunningSystem {
  child: ChildProcess;
  httpPort: number;
  mqttPort: number;
  base: string;
  output: () => string;
  /** SIGTERM, and the exit code */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export async function startSystem(env: Record<string, string>, timeoutMs = 90_000): Promise<RunningSystem> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'app/src/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...process.env, CAMPUS_HTTP_PORT: '0', CAMPUS_MQTT_PORT: '0', CAMPUS_HTTP_HOST: '127.0.0.1', CAMPUS_MQTT_HOST: '127.0.0.1', CAMPUS_LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = await waitFor(
    'the system to log "ready"',
    () => {
      if (child.exitCode !== null) throw new WaitAborted(`exited with ${child.exitCode}`);
      const m = /"httpPort":(\d+),"mqttPort":(\d+)/.exec(out);
      return m ? { httpPort: Number(m[1]), mqttPort: Number(m[2]) } : undefined;
    },
    { timeoutMs },
  ).catch((err) => {
    child.kill('SIGKILL');
    throw new Error(`${(err as Error).message}\n--- output ---\n${out}`);
  });
  return {
    child,
    ...ready,
    base: `http://127.0.0.1:${ready.httpPort}`,
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
