/**
 * The load mode's own broker (and ingest), put together by the composition root (system.ts): in
 * this process, or in a child process running the load command with `--serve` (its own open-file
 * table), reporting what it saw over IPC.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readKnobs, startServices, type Log, type SystemPart } from '@campus/runtime';
import type { Campus } from '@campus/site';
import { buildSystem } from '../system.ts';

/** What the broker (and ingest) saw: the proof that the messages arrived. */
export interface PipelineStats {
  /** telemetry publishes the broker accepted from devices */
  received: number;
  /** with ingest: readings stored, and messages dead-lettered */
  stored: number | null;
  rejected: number | null;
  clients: number;
  rssMB: number;
}

export interface Pipeline {
  url: string;
  where: string;
  stats(): PipelineStats | undefined;
  stop(): Promise<PipelineStats | undefined>;
}

export type ChildMessage = { type: 'ready'; port: number } | { type: 'stats'; stats: PipelineStats } | { type: 'stopped'; stats: PipelineStats };

/**
 * The knobs of a broker for load from this machine: simulated logins, every device from 127.0.0.1
 * trusted (CAMPUS_MQTT_TRUST_LOOPBACK=on), no connection cap to speak of, no metrics listeners.
 * `env` adds or overrides knobs (the bench: CAMPUS_MQTT_PERSISTENCE, CAMPUS_STORE, ...).
 */
export function loadBrokerKnobs(dataDir: string, env: Record<string, string | undefined> = {}) {
  return readKnobs({
    CAMPUS_DATA_DIR: dataDir,
    CAMPUS_MQTT_HOST: '127.0.0.1',
    CAMPUS_MQTT_PORT: '0',
    CAMPUS_SIM: 'on',
    CAMPUS_MQTT_TRUST_LOOPBACK: 'on',
    CAMPUS_BROKER_METRICS_PORT: 'off',
    CAMPUS_INGEST_METRICS_PORT: 'off',
    ...env,
  });
}

/**
 * Broker (and ingest) for `campuses`, built by buildSystem and started; counts the telemetry the
 * broker accepts from devices. `ingestClientId` names ingest's session.
 */
export async function startLoadSystem(opts: {
  dataDir: string;
  campuses: readonly Campus[];
  log: Log;
  ingest: boolean;
  env?: Record<string, string | undefined>;
  ingestClientId?: string;
}) {
  const knobs = loadBrokerKnobs(opts.dataDir, { ...(opts.ingestClientId ? { CAMPUS_INGEST_CLIENT_ID: opts.ingestClientId } : {}), ...opts.env });
  const parts: SystemPart[] = opts.ingest ? ['broker', 'ingest'] : ['broker'];
  const system = buildSystem({ knobs, campuses: opts.campuses, log: opts.log, parts, remoteDashboard: false });
  const running = await startServices(system.services, opts.log);
  const broker = system.broker!;
  let received = 0;
  broker.instance!.on('publish', (packet, client) => {
    if (client && packet.topic.endsWith('/telemetry')) received++;
  });
  return { system, broker, knobs, received: () => received, stop: () => running.stop() };
}

/** A broker with simulated logins for `campuses` (and ingest), in this process. */
export async function startPipeline(opts: { dataDir: string; campuses: readonly Campus[]; host: string; port: number; ingest: boolean; log: Log }) {
  const { system, broker, received, stop } = await startLoadSystem({
    ...opts,
    ingestClientId: 'campus-ingest-load',
    // the --serve listener; maxConnections: every simulated device is a connection
    env: { CAMPUS_MQTT_HOST: opts.host, CAMPUS_MQTT_PORT: String(opts.port), CAMPUS_MQTT_MAX_CONNECTIONS: '1000000' },
  });
  const stored = system.metrics.counter('campus_readings_stored_total', '');
  const rejected = system.metrics.counter('campus_readings_rejected_total', '');
  return {
    port: broker.port,
    url: `mqtt://${opts.host === '0.0.0.0' ? '127.0.0.1' : opts.host}:${broker.port}`,
    stats: (): PipelineStats => ({
      received: received(),
      stored: opts.ingest ? stored.get() : null,
      rejected: opts.ingest ? rejected.get() : null,
      clients: broker.instance?.connectedClients ?? 0,
      rssMB: process.memoryUsage.rss() / 1048576,
    }),
    stop,
  };
}

/** The same broker in a child process: `entry --serve ... serveArgs`, reporting over IPC. */
export async function startChildPipeline(entry: string, serveArgs: readonly string[], log: Log): Promise<Pipeline> {
  const child: ChildProcess = fork(entry, ['--serve', '--port', '0', ...serveArgs], {
    execArgv: process.execArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  child.on('error', (err) => log.warn(`broker process: ${err.message}`));
  let latest: PipelineStats | undefined;
  let onStopped: ((s: PipelineStats) => void) | undefined;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'ready') resolve(m.port);
      else if (m.type === 'stats') latest = m.stats;
      else if (m.type === 'stopped') onStopped?.((latest = m.stats));
    });
    void exited.then((code) => reject(new Error(`the broker process exited (code ${code}) before it was ready`)));
  });
  return {
    url: `mqtt://127.0.0.1:${port}`,
    where: `own, in a child process (pid ${child.pid})`,
    stats: () => latest,
    async stop() {
      const final = new Promise<PipelineStats | undefined>((resolve) => {
        onStopped = resolve;
        void exited.then(() => resolve(latest));
      });
      if (child.connected) child.send({ type: 'stop' });
      const stats = await final;
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
      return stats;
    },
  };
}
