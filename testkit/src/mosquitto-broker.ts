/**
 * Debian's mosquitto (2.0.11) as the external broker of a test: a child process on a free port of
 * 127.0.0.1 with its config, password file (`mosquitto_passwd`), ACL and persistence in a temp dir.
 * Devices may publish only under their own `campus/{site}/{deviceId}/` topics; the `readers`
 * (ingest) may read everything. `stop()` and `start()` again keep the data and the port (the
 * persistence file is written when mosquitto stops).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { serverProcess, type ServerProcess } from './server-process.ts';
import { freePort } from './system.ts';
import { tempDir } from './temp.ts';

export const MOSQUITTO = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto'].find((p) => existsSync(p));

export interface MosquittoBrokerOptions {
  /** username -> password of every login (devices: username = device id) */
  users: Record<string, string>;
  /** usernames allowed to read (subscribe to) every topic: ingest */
  readers: string[];
  /**
   * messages queued per client beyond those in flight (mosquitto's default 1000 silently drops
   * QoS 1 messages for a slow or absent subscriber); default 1,000,000
   */
  maxQueuedMessages?: number;
}

export interface MosquittoBroker extends ServerProcess {
  url: string;
  port: number;
  /** the temp dir: mosquitto.conf, passwd, acl, mosquitto.db */
  dir: string;
}

/** TCP connect: mosquitto listens once its config, passwords and ACL are loaded. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(port, '127.0.0.1');
    s.once('connect', () => (s.destroy(), resolve(true)));
    s.once('error', () => resolve(false));
  });
}

export async function startMosquittoBroker(opts: MosquittoBrokerOptions): Promise<MosquittoBroker> {
  if (!MOSQUITTO) throw new Error("mosquitto is not installed: run `npm run test:all` (scripts/install-test-deps.sh installs Debian's mosquitto)");
  const dir = tempDir('campus-mosquitto-');
  const port = await freePort();
  const passwd = join(dir.path, 'passwd');
  const users = Object.entries(opts.users);
  users.forEach(([user, password], i) => execFileSync('mosquitto_passwd', ['-b', ...(i === 0 ? ['-c'] : []), passwd, user, password], { stdio: 'pipe' }));
  chmodSync(passwd, 0o600);
  const acl = join(dir.path, 'acl');
  writeFileSync(
    acl,
    [...opts.readers.flatMap((u) => [`user ${u}`, 'topic read #', '']), '# every device under its own topics', 'pattern write campus/+/%u/#', ''].join('\n'),
  );
  chmodSync(acl, 0o600);
  const conf = join(dir.path, 'mosquitto.conf');
  writeFileSync(
    conf,
    [
      `listener ${port} 127.0.0.1`,
      // run as the test's user (as root, mosquitto would switch to "mosquitto" and lose the temp dir)
      `user ${userInfo().username}`,
      'allow_anonymous false',
      `password_file ${passwd}`,
      `acl_file ${acl}`,
      'persistence true',
      `persistence_location ${dir.path}/`,
      `max_queued_messages ${opts.maxQueuedMessages ?? 1_000_000}`,
      'max_queued_bytes 0',
      'log_dest stderr',
      'log_type error',
      'log_type warning',
      '',
    ].join('\n'),
  );
  const proc = serverProcess(`mosquitto on port ${port}`, MOSQUITTO, ['-c', conf], () => accepts(port), dir, 20_000);
  const broker: MosquittoBroker = Object.assign(proc, { url: `mqtt://127.0.0.1:${port}`, port, dir: dir.path });
  try {
    await broker.start();
  } catch (err) {
    dir.remove();
    throw err;
  }
  return broker;
}
