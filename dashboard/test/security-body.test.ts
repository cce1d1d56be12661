/**
 * Request bodies (security/body-limit.ts): JSON only, at most 16 KiB, on every route. Too large —
 * declared, chunked, or declared but never sent — is 413 with a clear JSON error; a form post, text
 * or a compressed body is 415; in every case nothing changes (the ticket stays open, no
 * competition is created, the campus file is untouched). A body under the limit works.
 */
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDashboard, type Fixture, type Session } from './security-fixture.ts';

let f: Fixture;
let admin: Session;
let ticket: number;
beforeAll(async () => {
  f = await startDashboard();
  admin = await f.staff('office', 'admin');
  ticket = f.openTicket('plumber', 'wm-dorm-1');
});
afterAll(() => f?.stop());

const unchanged = () => {
  const t = f.tickets.get(ticket)!;
  expect(t.status).toBe('open');
  expect(t.audit.map((a) => a.action)).toEqual(['opened']);
};

/** A chunked upload (no Content-Length) of a valid action with `total` bytes of padding. */
function chunked(path: string, headers: Record<string, string>, total: number): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: f.port,
        method: 'POST',
        path,
        agent: false,
        headers: { ...headers, 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.write('{"note":"更换阀门","padding":"');
    for (let sent = 0; sent < total; sent += 1024) req.write('x'.repeat(1024));
    req.end('"}');
  });
}

describe('request bodies', () => {
  it('a JSON body over 16 KiB is 413 with a clear JSON error, and the ticket is not touched', async () => {
    const r = await f.call({
      method: 'POST',
      path: `/api/tickets/${ticket}/resolve`,
      headers: f.as(admin),
      body: { note: '更换阀门', padding: 'x'.repeat(20_000) },
    });
    expect(r.status).toBe(413);
    expect(r.json).toEqual({ error: 'payload_too_large', message: expect.stringContaining('16 KiB') });
    unchanged();
  });

  it('a chunked body without a length is cut at 16 KiB (413)', async () => {
    const r = await chunked(`/api/tickets/${ticket}/resolve`, f.as(admin), 64 * 1024);
    expect(r.status).toBe(413);
    expect(r.json.error).toBe('payload_too_large');
    unchanged();
  });

  it('a declared length over the limit is refused before the body is sent', async () => {
    const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: f.port,
          method: 'POST',
          path: `/api/tickets/${ticket}/resolve`,
          agent: false,
          headers: { ...f.as(admin), 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (body += d));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          req.destroy();
        },
      );
      req.on('error', reject); // once answered, a later reset does not matter
      req.flushHeaders(); // headers only: the 10 MB never come
    });
    expect(r.status).toBe(413);
    unchanged();
  });

  it('form posts, text and compressed bodies are 415, on login and on every change', async () => {
    const form = await f.call({
      method: 'POST',
      path: '/api/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=office&password=x',
    });
    expect(form.status).toBe(415);
    expect(form.json.error).toBe('unsupported_media_type');
    const text = await f.call({ method: 'POST', path: `/api/tickets/${ticket}/ack`, headers: { ...f.as(admin), 'content-type': 'text/plain' }, body: 'note' });
    expect(text.status).toBe(415);
    const multipart = await f.call({
      method: 'POST',
      path: `/api/tickets/${ticket}/ack`,
      headers: { ...f.as(admin), 'content-type': 'multipart/form-data; boundary=x' },
      body: '--x\r\nContent-Disposition: form-data; name="note"\r\n\r\nhi\r\n--x--\r\n',
    });
    expect(multipart.status).toBe(415);
    const gz = await f.call({
      method: 'POST',
      path: `/api/tickets/${ticket}/ack`,
      headers: { ...f.as(admin), 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify({ note: 'x' })),
    });
    expect(gz.status).toBe(415);
    const competition = await f.call({
      method: 'POST',
      path: '/api/competitions',
      headers: { ...f.as(admin), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=x&resource=electricity&from=2026-11-02&to=2026-11-27',
    });
    expect(competition.status).toBe(415);
    unchanged();
    expect((await f.call({ path: '/api/competitions', headers: f.as(admin) })).json.competitions).toEqual([]);
  });

  it('adopting a device with an oversized body leaves the campus file alone', async () => {
    const before = readFileSync(f.campusFile, 'utf8');
    const r = await f.call({
      method: 'POST',
      path: '/api/devices/adopt',
      headers: f.as(admin),
      body: {
        source: { format: 'tasmota', id: 'tasmota_BIG' },
        device: { id: 'em-big', kind: 'electricity_meter', name: 'x'.repeat(20_000), location: { building: 'teach-1' } },
      },
    });
    expect(r.status).toBe(413);
    expect(readFileSync(f.campusFile, 'utf8')).toBe(before);
  });

  it('malformed JSON is a 400 that says so', async () => {
    const r = await f.call({
      method: 'POST',
      path: `/api/tickets/${ticket}/ack`,
      headers: { ...f.as(admin), 'content-type': 'application/json' },
      body: '{"note": ',
    });
    expect(r.status).toBe(400);
    expect(r.json.error).toBe('bad_json');
    unchanged();
  });

  it('a body under the limit is served', async () => {
    const r = await f.call({ method: 'POST', path: `/api/tickets/${ticket}/ack`, headers: f.as(admin), body: { note: '收到'.repeat(900) } }); // 5.4 KB
    expect(r.status).toBe(200);
    expect(r.json.status).toBe('acknowledged');
    expect(await f.metric(/^campus_http_refused_total\{reason="payload_too_large"\} /)).toBeGreaterThanOrEqual(3);
  });
});
