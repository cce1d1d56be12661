/**
 * The encrypted listeners, started when a certificate is configured (CAMPUS_TLS_CERT and
 * CAMPUS_TLS_KEY, PEM files): MQTT over TLS (CAMPUS_MQTTS_PORT, default 8883) and MQTT over
 * secure WebSocket (CAMPUS_MQTT_WSS_PORT, default 8884, path /mqtt) for browsers and gateways that
 * only speak HTTPS. Both hand their connections to the same admission, limits and ACL as the plain
 * TCP listener. The plain listener stays (devices on the campus LAN); bind it to 127.0.0.1 with
 * CAMPUS_MQTT_HOST to allow TLS only.
 */
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createTlsServer } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { WebSocketServer, createWebSocketStream } from 'ws';
import { CampusError, listen, type Listening, type Log } from '@campus/runtime';

export interface TlsOptions {
  certFile: string;
  keyFile: string;
  /** 0 picks a free port */
  mqttsPort: number;
  wssPort: number;
  host: string;
  /**
   * a connection that has not finished its TLS handshake by then is closed (default 10 s; Node's
   * own is 120 s): admission counts a connection only once it is decrypted, so without this idle
   * sockets to 8883 / 8884 would hold descriptors past every cap
   */
  handshakeTimeoutMs?: number;
}

export interface TlsListeners {
  mqtts: Listening;
  wss: Listening;
  close(): Promise<void>;
}

/** `onConnection(stream, address, req)` is the broker's handler for every accepted connection. */
export async function startTlsListeners(
  tls: TlsOptions,
  log: Log,
  onConnection: (stream: Duplex, address: string | undefined, req?: IncomingMessage) => void,
): Promise<TlsListeners> {
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = readFileSync(tls.certFile);
    key = readFileSync(tls.keyFile);
  } catch (err) {
    throw new CampusError('CAMPUS_ERR_TLS', `cannot read the TLS certificate or key (CAMPUS_TLS_CERT / CAMPUS_TLS_KEY): ${(err as Error).message}`, {
      cause: err,
    });
  }
  const handshakeTimeout = tls.handshakeTimeoutMs ?? 10_000;
  let tlsServer;
  try {
    tlsServer = createTlsServer({ cert, key, minVersion: 'TLSv1.2', handshakeTimeout }, (socket) => onConnection(socket, socket.remoteAddress));
  } catch (err) {
    throw new CampusError('CAMPUS_ERR_TLS', `the TLS certificate or key is not usable: ${(err as Error).message}`, { cause: err });
  }
  // with a listener here Node leaves the socket open: close it (a failed or timed-out handshake)
  const onHandshakeError = (err: Error, socket: import('node:net').Socket) => {
    log.debug(`TLS handshake failed: ${err.message}`, { address: socket.remoteAddress });
    socket.destroy();
  };
  tlsServer.on('tlsClientError', onHandshakeError);
  const mqtts = await listen(tlsServer, tls.mqttsPort, tls.host, 'MQTTS', 'CAMPUS_MQTTS_PORT');

  const https = createHttpsServer({ cert, key, minVersion: 'TLSv1.2', handshakeTimeout, headersTimeout: handshakeTimeout, requestTimeout: handshakeTimeout }, (_req, res) => {
    res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8' }).end('MQTT over WebSocket: connect to /mqtt with the "mqtt" subprotocol\n');
  });
  https.on('tlsClientError', onHandshakeError);
  // MQTT packets over WebSocket frames: the same 64 KiB-ish limit as TCP applies to the MQTT packet, the frame cap is a backstop
  const wsServer = new WebSocketServer({
    server: https,
    path: '/mqtt',
    maxPayload: 256 * 1024,
    handleProtocols: (protocols) => (protocols.has('mqtt') ? 'mqtt' : false),
  });
  wsServer.on('connection', (ws, req) => onConnection(createWebSocketStream(ws), req.socket.remoteAddress, req));
  let wss: Listening;
  try {
    wss = await listen(https, tls.wssPort, tls.host, 'MQTT over WSS', 'CAMPUS_MQTT_WSS_PORT');
  } catch (err) {
    await mqtts.close();
    throw err;
  }
  log.info(`listening on mqtts://${tls.host}:${mqtts.port} and wss://${tls.host}:${wss.port}/mqtt`);
  return {
    mqtts,
    wss,
    async close() {
      for (const c of wsServer.clients) c.terminate();
      wsServer.close();
      await Promise.all([mqtts.close(), wss.close()]);
    },
  };
}
