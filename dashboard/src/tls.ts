/**
 * The dashboard over HTTPS, when a certificate is configured (CAMPUS_TLS_CERT and CAMPUS_TLS_KEY,
 * PEM files, the same the broker uses for MQTTS): a second listener on CAMPUS_HTTPS_PORT (3443)
 * that serves the very same app and socket.io as the plain HTTP listener, so every guard applies
 * to both (slow clients and connection caps, same-origin checks, body limits, socket auth). The
 * plain listener stays: the screens on the school LAN keep working without a certificate.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Server as HttpServer, ServerOptions } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { CampusError, listen, openFileLimit, type Knobs, type Listening, type Log, type MetricsRegistry } from '@campus/runtime';
import { guardConnections } from './security/slow-clients.ts';

export interface DashboardTls {
  certFile: string;
  keyFile: string;
  /** 0 picks a free port */
  port: number;
}

/** The HTTPS listener's settings from the knobs, or none without a certificate. */
export function dashboardTls(knobs: Pick<Knobs, 'tlsCert' | 'tlsKey' | 'httpsPort'>): DashboardTls | undefined {
  return knobs.tlsCert && knobs.tlsKey ? { certFile: knobs.tlsCert, keyFile: knobs.tlsKey, port: knobs.httpsPort } : undefined;
}

export interface HttpsGuards {
  host: string;
  /** the plain server's slow-client limits (security/slow-clients.ts) */
  limits: ServerOptions;
  trustProxy: boolean | string;
  metrics: MetricsRegistry;
  log: Log;
}

/**
 * Listens with TLS and hands every request and WebSocket upgrade to `plain`, the HTTP server the
 * app and socket.io are attached to. The plain server's slow-client limits apply; a client that
 * never finishes its TLS handshake is cut as soon as one that never finishes its headers.
 */
export async function listenHttps(plain: HttpServer, tls: DashboardTls, guards: HttpsGuards): Promise<Listening> {
  let server: HttpsServer;
  try {
    const cert = readFileSync(tls.certFile);
    const key = readFileSync(tls.keyFile);
    server = createHttpsServer({ ...guards.limits, cert, key, minVersion: 'TLSv1.2', handshakeTimeout: guards.limits.headersTimeout });
  } catch (err) {
    throw new CampusError(
      'CAMPUS_ERR_TLS',
      `the dashboard cannot use the TLS certificate or key (CAMPUS_TLS_CERT / CAMPUS_TLS_KEY): ${(err as Error).message}`,
      { cause: err },
    );
  }
  guardTlsConnections(server, guards);
  server.on('request', (req, res) => plain.emit('request', req, res));
  server.on('upgrade', (req, socket, head) => plain.emit('upgrade', req, socket, head));
  // with a listener here Node leaves the socket open after a failed or timed-out handshake: close it
  server.on('tlsClientError', (err, socket) => {
    guards.log.debug(`TLS handshake failed: ${err.message}`, { address: socket.remoteAddress });
    socket.destroy();
  });
  return listen(server, tls.port, guards.host, 'HTTPS', 'CAMPUS_HTTPS_PORT');
}

/**
 * The plain listener's caps on connections and idle ones (guardConnections), for the TLS
 * listener: it sees each TCP connection from its first byte, so a thousand sockets that never
 * send a ClientHello are capped like a thousand that never send a request. A request arrives on
 * the TLS socket over that TCP connection: found by the peer's address and port. The caps are
 * this listener's own (of the same size as the plain one's).
 */
function guardTlsConnections(server: HttpsServer, guards: HttpsGuards): void {
  const peer = (s: Socket) => `${s.remoteAddress}|${s.remotePort}`;
  const tcp = new Map<string, Socket>();
  const view = new EventEmitter();
  server.on('connection', (socket: Socket) => {
    const key = peer(socket);
    tcp.set(key, socket);
    socket.once('close', () => tcp.get(key) === socket && tcp.delete(key));
    view.emit('connection', socket);
  });
  server.on('request', (req, res) => view.emit('request', { socket: tcp.get(peer(req.socket)) }, res));
  server.on('upgrade', (req) => view.emit('upgrade', { socket: tcp.get(peer(req.socket)) }));
  // the plain listener has warned about a low open-file limit already
  guardConnections(view as HttpServer, { trustProxy: guards.trustProxy, openFileLimit: openFileLimit() }, guards.metrics, guards.log);
}
