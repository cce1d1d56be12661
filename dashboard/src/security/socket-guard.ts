/**
 * Who may hold a live socket: a staff session or a display token, from a page of this server.
 * Another origin is refused at the engine.io handshake (403, no session is made); missing or
 * wrong credentials at socket.io's CONNECT ("unauthorized"). Connected sockets are checked again
 * every `revalidateMs`: a revoked display token, a disabled account or an expired session is cut
 * off without waiting for the browser to reload.
 */
import type { IncomingMessage } from 'node:http';
import type { Server as SocketServer, Socket } from 'socket.io';
import type { MetricsRegistry } from '@campus/runtime';
import type { Auth, Viewer } from '../auth/auth.ts';
import { countRefusal } from './refusals.ts';
import { sameOrigin } from './same-origin.ts';

/** engine.io's allowRequest: only handshakes from this origin (or from scripts without one). */
export function socketOriginCheck(
  metrics: MetricsRegistry,
): (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => void {
  return (req, callback) => {
    if (sameOrigin(req.headers)) return callback(null, true);
    countRefusal(metrics, 'socket_cross_origin');
    callback('cross-origin connection refused', false);
  };
}

const viewerOf = (auth: Auth, socket: Socket): Viewer | null => {
  const display = socket.handshake.auth?.display;
  return auth.identify(socket.handshake.headers, typeof display === 'string' ? display : undefined);
};

/** socket.io middleware: the viewer, or "unauthorized". */
export function socketAuth(auth: Auth, metrics: MetricsRegistry): (socket: Socket, next: (err?: Error) => void) => void {
  return (socket, next) => {
    if (!sameOrigin(socket.handshake.headers)) {
      countRefusal(metrics, 'socket_cross_origin');
      return next(new Error('cross-origin connection refused'));
    }
    const viewer = viewerOf(auth, socket);
    if (!viewer) {
      countRefusal(metrics, 'socket_unauthorized');
      return next(new Error('unauthorized'));
    }
    socket.data.viewer = viewer;
    next();
  };
}

/** Checks every connected socket again; returns a stop function. */
export function revalidateSockets(io: SocketServer, auth: Auth, metrics: MetricsRegistry, revalidateMs: number): () => void {
  const timer = setInterval(() => {
    for (const socket of io.sockets.sockets.values()) {
      if (viewerOf(auth, socket)) continue;
      countRefusal(metrics, 'socket_revoked');
      socket.emit('revoked', { message: '登录已失效或显示令牌已撤销 (session ended or display token revoked)' });
      socket.disconnect(true);
    }
  }, revalidateMs);
  timer.unref();
  return () => clearInterval(timer);
}
