/**
 * With the whole system running (npm start), a leak injected through the simulator's fault
 * command opens a repair ticket that appears in the API and is pushed on the socket; a staff
 * action with the API key updates it live; clearing the fault marks the condition cleared.
 */
import { spawn } from 'node:child_process';
import { io, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { Ticket } from '@campus/contract';
import { apiClient, REPO_ROOT, startSystem, tempDir, waitFor, type RunningSystem } from '@campus/testkit';

const dir = tempDir();
let system: RunningSystem | undefined;
let socket: Socket | undefined;
afterAll(async () => {
  socket?.close();
  await system?.stop();
  dir.remove();
});

function cli(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/src/cli.ts', ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, CAMPUS_DATA_DIR: dir.path },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${out}`))));
  });
}

describe('a fault injected into the running system', () => {
  it('becomes a ticket in the API and on the socket, and staff handle it live', { timeout: 360_000 }, async () => {
    system = await startSystem({ CAMPUS_DATA_DIR: dir.path });
    const base = system.base;
    const api = apiClient(base, dir.path);
    await waitFor(
      'wm-dorm-2 online',
      async () => {
        const { devices } = (await api.get('/api/devices')).body as { devices: { id: string; status: string }[] };
        return devices.find((d) => d.id === 'wm-dorm-2')?.status === 'online';
      },
      { timeoutMs: 90_000, everyMs: 1000 },
    );

    const pushed: Ticket[] = [];
    // an unauthenticated socket is refused; a display token is enough to watch
    const anonymous = io(base, { transports: ['websocket'], reconnection: false });
    const refused = await new Promise<string>((resolve) => anonymous.on('connect_error', (e) => resolve(e.message)));
    expect(refused).toBe('unauthorized');
    anonymous.close();
    const display = (await cli('display', 'add', '测试大屏')).match(/token=(\S+)/)![1]!;
    socket = io(base, { transports: ['websocket'], auth: { display } });
    socket.on('ticket', (t: Ticket) => pushed.push(t));
    await waitFor('the socket to connect', () => socket!.connected);

    const out = await cli('fault', 'add', 'meter_leak', 'wm-dorm-2');
    const faultId = /added (\S+):/.exec(out)![1]!;

    const ticket = await waitFor(
      'a leak ticket in /api/tickets',
      async () => {
        const { tickets } = (await api.get('/api/tickets?status=open')).body as { tickets: Ticket[] };
        return tickets.find((t) => t.deviceId === 'wm-dorm-2' && t.condition === 'water.meter_alarm');
      },
      { timeoutMs: 180_000, everyMs: 500 },
    );
    expect(ticket).toMatchObject({
      severity: 'major',
      trade: 'plumber',
      category: 'repair',
      status: 'open',
      title: '水表报警：漏水',
      location: { buildingName: '学生公寓', floor: 2 },
    });
    await waitFor('the same ticket pushed on the socket', () => pushed.some((t) => t.id === ticket.id));

    const ack = await api.post(`/api/tickets/${ticket.id}/ack`, { actor: '李师傅', note: '已派人' });
    expect(ack.status).toBe(200);
    await waitFor('the acknowledgement pushed', () => pushed.some((t) => t.id === ticket.id && t.status === 'acknowledged' && t.acknowledgedBy === '李师傅'));

    await cli('fault', 'clear', faultId);
    await waitFor(
      'the condition marked cleared (the meter stopped flagging LEAK)',
      async () => {
        const t = (await api.get(`/api/tickets/${ticket.id}`)).body as Ticket & { audit: { action: string }[] };
        return t.clearedAt !== null && t.status === 'acknowledged' && t.audit.some((a) => a.action === 'cleared');
      },
      { timeoutMs: 180_000, everyMs: 500 },
    );

    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^campus_tickets_open\{severity="major"\} [1-9]/m);
  });
});
