/**
 * Who may hold a live socket: a staff session or a display token, from a page of this server.
 * Another origin is refused at the engine.io handshake (403, no session is made); missing or
 * wrong credentials at socket.io's CONNECT ("unauthorized"). Connected sockets are checked again
 * every `revalidateMs`: a revoked display token, a disabled account or an expired session is cut
 * off without waiting for the browser to reload.
 *
 * Nothing here may throw out: socket.io does not catch an exception in a middleware or in
 * engine.io's allowRequest, and it ends the whole process (docs/developing/platform-facts.md; one malformed cookie took
 * the broker, ingest, the dashboard and the simulator down). Each is wrapped: a throw is a refused
 * handshake, counted as `socket_error` and logged.
 */
import type { IncomingMessage } from 'node:http';
import type { Server as SocketServer, Socket } from 'socket.io';
import type { Log, MetricsRegistry } from '@campus/runtime';
import type { Auth, Viewer } from '../auth/auth.ts';
import { countRefusal } from './refusals.ts';
import { sameOrigin } from './same-origin.ts';

type AllowRequest = (req: IncomingMessage, callback: (err: string | null | undefined, success: boolean) => void) => void;
type Middleware = (socket: Socket, next: (err?: Error) => void) => void;

/**
 * `step(subject, done)`, except that a throw is a refusal instead of the end of the process:
 * `done(...refusal())`, unless `done` was called already; counted and logged.
 */
function refusingOnThrow<S, A extends unknown[]>(
  step: (subject: S, done: (...args: A) => void) => void,
  refusal: () => A,
  metrics: MetricsRegistry,
  log: Log,
): (subject: S, done: (...args: A) => void) => void {
  return (subject, done) => {
    let answered = false;
    const once = (...args: A) => {
      if (answered) return;
      answered = true;
      done(...args);
    };
    try {
      step(subject, once);
    } catch (err) {
      countRefusal(metrics, 'socket_error');
      log.warn(`refused a socket handshake that failed: ${err instanceof Error ? err.message : String(err)}`);
      once(...refusal());
    }
  };
}

/** engine.io's allowRequest: only handshakes from this origin (or from scripts without one). */
export function socketOriginCheck(metrics: MetricsRegistry, log: Log): AllowRequest {
  const check: AllowRequest = (req, callback) => {
    if (sameOrigin(req.headers)) return callback(null, true);
    countRefusal(metrics, 'socket_cross_origin');
    callback('cross-origin connection refused', false);
  };
  return refusingOnThrow(check, () => ['handshake refused', false], metrics, log);
}

const viewerOf = (auth: Auth, socket: Socket): Viewer | null => {
  const display = socket.handshake.auth?.display;
  return auth.identify(socket.handshake.headers, typeof display === 'string' ? display : undefined);
};

/** socket.io middleware: the viewer, or "unauthorized". */
export function socketAuth(auth: Auth, metrics: MetricsRegistry, log: Log): Middleware {
  const authorize: Middleware = (socket, next) => {
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
  return refusingOnThrow(authorize, () => [new Error('handshake refused')], metrics, log);
}

/** Checks every connected socket again; returns a stop function. */
export function revalidateSockets(io: SocketServer, auth: Auth, metrics: MetricsRegistry, revalidateMs: number): () => void {
  const stillAllowed = (socket: Socket) => {
    try {
      return viewerOf(auth, socket) !== null;
    } catch {
      return false; // a throw in this timer would end the process too: what cannot be checked is cut off
    }
  };
  const timer = setInterval(() => {
    for (const socket of io.sockets.sockets.values()) {
      if (stillAllowed(socket)) continue;
      countRefusal(metrics, 'socket_revoked');
      socket.emit('revoked', { message: '登录已失效或显示令牌已撤销 (session ended or display token revoked)' });
      socket.disconnect(true);
    }
  }, revalidateMs);
  timer.unref();
  return () => clearInterval(timer);
}
