/**
 * Binding a TCP or HTTP server the same way everywhere: a port already in use is a coded error
 * naming the knob to change; the sockets are tracked so that close() never waits on a client.
 */
import type { Server } from 'node:net';
import { CampusError } from './errors.ts';

export interface Listening {
  /** the port actually bound (0 asks the OS for a free one) */
  port: number;
  close(): Promise<void>;
}

export async function listen(server: Server, port: number, host: string, what: string, knob: string): Promise<Listening> {
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE' ? new CampusError('CAMPUS_ERR_PORT_IN_USE', `${what} port ${port} is already in use (set ${knob})`, { cause: err }) : err,
      ),
    );
    server.listen(port, host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
