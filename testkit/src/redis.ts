/**
 * A real redis-server (Debian's) for a test: data under a temp dir, a free port of 127.0.0.1,
 * append-only file fsynced on every write (what a broker that must not lose acknowledged messages
 * wants). `stop()` and `start()` again keep the data and the port.
 */
import { existsSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tempDir } from './temp.ts';
import { freePort } from './system.ts';
import { serverProcess, type ServerProcess } from './server-process.ts';

export const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));

export interface RedisServer extends ServerProcess {
  url: string;
  port: number;
}

/** PING over a raw socket: true on +PONG. */
function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(port, '127.0.0.1');
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.once('error', () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (b) => done(b.toString().startsWith('+PONG')));
    s.setTimeout(2000, () => done(false));
  });
}

export async function startRedis(): Promise<RedisServer> {
  if (!REDIS_SERVER) throw new Error("redis-server is not installed: run `npm run test:all` (scripts/install-test-deps.sh installs Debian's redis-server)");
  const dir = tempDir('campus-redis-');
  const port = await freePort();
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--dir',
    dir.path,
    '--appendonly',
    'yes',
    '--appendfsync',
    'always',
    '--save',
    '',
    '--daemonize',
    'no',
  ];
  const proc = serverProcess(`redis-server on port ${port}`, REDIS_SERVER, args, () => ping(port), dir);
  const server: RedisServer = Object.assign(proc, { url: `redis://127.0.0.1:${port}`, port });
  await server.start();
  return server;
}
