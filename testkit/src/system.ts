/**
 * Parts of the system as a user runs them: `node --import tsx <entry>` in a child process, on
 * free ports (port 0, read back from the log) and a temp data dir.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from './temp.ts';
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
  // a TypeScript entry runs through tsx, a built one (dist/...js) as production runs it
  const child = spawn(process.execPath, entry.endsWith('.ts') ? ['--import', 'tsx', entry] : ['--enable-source-maps', entry], {
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

/**
 * Where a browser opens the pages:
 * - `loopback`: http://127.0.0.1:port, which browsers treat as secure (exempt from
 *   upgrade-insecure-requests, a secure context): it hides what a school meets;
 * - `lan`: http://houqin-server.lan:port, a host name on the school network over plain HTTP (the
 *   default deployment); launchChromium() resolves the name to 127.0.0.1;
 * - `https`: https://houqin-server.lan:httpsPort, the dashboard's TLS listener on, with the test
 *   certificate (testCertificate()), which launchChromium() trusts.
 */
export type PageOrigin = 'loopback' | 'lan' | 'https';

/** The origins every page test runs at: a LAN host name over plain HTTP, and over HTTPS (loopback is easier than both). */
export const PAGE_ORIGINS: readonly PageOrigin[] = Object.freeze(['lan', 'https']);

/** The LAN-like host name of the page tests (docs/developing/platform-facts.md: Chromium's --host-resolver-rules maps it to 127.0.0.1). */
export const LAN_HOST = 'houqin-server.lan';

export interface TestCertificate {
  certFile: string;
  keyFile: string;
  /** base64 SHA-256 of the public key, for Chromium's --ignore-certificate-errors-spki-list */
  spki: string;
}

let certificate: TestCertificate | undefined;

/** A self-signed certificate for LAN_HOST, localhost and 127.0.0.1, made once per test process with openssl. */
export function testCertificate(): TestCertificate {
  if (certificate) return certificate;
  const dir = tempDir('campus-cert-');
  process.once('exit', () => dir.remove());
  const certFile = join(dir.path, 'cert.pem');
  const keyFile = join(dir.path, 'key.pem');
  const san = `subjectAltName=DNS:${LAN_HOST},DNS:localhost,IP:127.0.0.1`;
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];
  execFileSync('openssl', ['req', '-x509', ...ec, '-nodes', '-days', '2', '-subj', `/CN=${LAN_HOST}`, '-addext', san, '-keyout', keyFile, '-out', certFile], {
    stdio: 'ignore',
  });
  const publicKey = new X509Certificate(readFileSync(certFile)).publicKey.export({ type: 'spki', format: 'der' });
  certificate = { certFile, keyFile, spki: createHash('sha256').update(publicKey).digest('base64') };
  return certificate;
}

export interface RunningSystem extends RunningPart {
  httpPort: number;
  mqttPort: number;
  /** the dashboard's TLS listener (origin `https` only) */
  httpsPort?: number;
  origin: PageOrigin;
  /** where a browser opens the pages, at `origin` (loopback: the same as apiBase) */
  base: string;
  /** the plain HTTP listener over loopback, for scripts in the test (Node cannot resolve LAN_HOST) */
  apiBase: string;
}

export interface SystemOptions {
  timeoutMs?: number;
  /** where the pages are opened (default loopback); `https` turns the dashboard's TLS listener on */
  origin?: PageOrigin;
  /** what runs (default app/src/main.ts through tsx; a built bundle such as dist/app/main.js runs as is) */
  entry?: string;
}

/**
 * The whole system (`npm start`), with its ports read from the "ready" line. With origin `https`
 * the test certificate is configured (CAMPUS_TLS_CERT / CAMPUS_TLS_KEY) and the TLS listeners are
 * on free ports unless `env` names them (CAMPUS_HTTPS_PORT, for a restart on the same port).
 */
export async function startSystem(env: Record<string, string>, options: number | SystemOptions = {}): Promise<RunningSystem> {
  const { timeoutMs = 180_000, origin = 'loopback', entry = 'app/src/main.ts' } = typeof options === 'number' ? { timeoutMs: options } : options;
  const tls: Record<string, string> =
    origin === 'https'
      ? {
          CAMPUS_TLS_CERT: testCertificate().certFile,
          CAMPUS_TLS_KEY: testCertificate().keyFile,
          CAMPUS_HTTPS_PORT: '0',
          CAMPUS_MQTTS_PORT: '0',
          CAMPUS_MQTT_WSS_PORT: '0',
        }
      : {};
  const part = await startPart(
    entry,
    { CAMPUS_HTTP_PORT: '0', CAMPUS_MQTT_PORT: '0', CAMPUS_LOG_LEVEL: 'info', ...tls, ...env },
    /"httpPort":(\d+),"mqttPort":(\d+)/,
    timeoutMs,
  );
  const httpPort = Number(part.ready[0]);
  const apiBase = `http://127.0.0.1:${httpPort}`;
  const running = { ...part, httpPort, mqttPort: Number(part.ready[1]), origin, apiBase };
  if (origin === 'loopback') return { ...running, base: apiBase };
  if (origin === 'lan') return { ...running, base: `http://${LAN_HOST}:${httpPort}` };
  const httpsPort = Number(/dashboard on https:\/\/[^\s:]+:(\d+)/.exec(part.output())?.[1]);
  if (!httpsPort) {
    await part.stop('SIGKILL');
    throw new Error(`the dashboard logged no HTTPS listener ("dashboard on https://..."):\n${part.output()}`);
  }
  return { ...running, httpsPort, base: `https://${LAN_HOST}:${httpsPort}` };
}

/** A port free right now (for a system that must come back on the same port after a restart). */
export async function freePort(): Promise<number> {
  return (await freePorts(1))[0]!;
}

/** `count` different ports free right now (each held until all are found). */
export async function freePorts(count: number): Promise<number[]> {
  const { createServer } = await import('node:net');
  const held = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import('node:net').Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = held.map((s) => (s.address() as { port: number }).port);
  await Promise.all(held.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
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
