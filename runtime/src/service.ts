/**
 * One lifecycle for every long-lived part: the constructor does nothing, start() brings the part
 * up (and throws if it cannot), stop() releases everything and loses no acknowledged data.
 * The runner starts parts in order, names the one that failed, and stops them in reverse.
 */
import { describeError } from './errors.ts';
import { CampusError } from './errors.ts';
import type { Log } from './log.ts';

export interface PartHealth {
  ok: boolean;
  detail?: string;
  [key: string]: unknown;
}

export interface Service {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  health?(): PartHealth;
}

export interface Running {
  readonly services: readonly Service[];
  stop(): Promise<void>;
}

/**
 * Runs a part's start; if it fails, the part's stop() releases what that attempt had opened (a
 * lock, a file, a listener, timers) before the error goes on, so that a retry starts clean. Every
 * stop() of ours takes a partial start.
 */
export async function startOrUndo(part: Pick<Service, 'stop'>, start: () => Promise<void>): Promise<void> {
  try {
    await start();
  } catch (err) {
    await part.stop();
    throw err;
  }
}

export async function startServices(services: Service[], log: Log): Promise<Running> {
  const started: Service[] = [];
  const stopAll = async () => {
    for (const service of [...started].reverse()) {
      try {
        await service.stop();
        log.info(`${service.name} stopped`);
      } catch (err) {
        log.error(`${service.name} failed to stop cleanly: ${describeError(err)}`);
      }
    }
    started.length = 0;
  };
  for (const service of services) {
    try {
      await service.start();
      started.push(service);
      log.info(`${service.name} started`);
    } catch (err) {
      log.error(`${service.name} failed to start: ${describeError(err)}`);
      // what the failed part had already opened (each part's stop() takes a partial start), then the others
      await service.stop().catch((e: unknown) => log.error(`${service.name} failed to stop after its failed start: ${describeError(e)}`));
      await stopAll();
      throw new CampusError('CAMPUS_ERR_START', `${service.name} failed to start`, { cause: err });
    }
  }
  return { services, stop: stopAll };
}

/**
 * Stops the running parts on SIGINT / SIGTERM and exits 0; a second signal, or a stop that takes
 * longer than `graceMs`, exits 1 at once.
 */
export function stopOnSignals(running: Running, log: Log, graceMs = 15_000): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn(`${signal} again: exiting without waiting`);
      process.exit(1);
    }
    stopping = true;
    log.info(`${signal}: stopping`);
    const timer = setTimeout(() => {
      log.error(`stop took longer than ${graceMs} ms: exiting`);
      process.exit(1);
    }, graceMs);
    timer.unref();
    running.stop().then(
      () => process.exit(0),
      (err) => {
        log.error(`stop failed: ${describeError(err)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Runs a process entry point: prints a failure with its code and problems, and exits 1. */
export async function runMain(log: Log, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (err) {
    const problems = (err as { problems?: string[] }).problems;
    const code = (err as { code?: string }).code;
    log.error(`${code ? code + ': ' : ''}${describeError(err)}`);
    if (problems && !describeError(err).includes(problems[0] ?? '')) for (const p of problems) log.error(`  - ${p}`);
    process.exit(1);
  }
}
