/**
 * Local stand-ins for where notifications go, on free ports: an HTTP receiver (a WeCom or
 * DingTalk robot, a webhook) that records every request and answers as told, and an SMTP inbox
 * (smtp-server, parsed with mailparser) that records every mail and the login it came with.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  /** Date.now() when the body had arrived */
  at: number;
  method: string;
  /** the request target as sent (path and query, still encoded) */
  target: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  raw: string;
  /** the body parsed as JSON (undefined when it is not JSON) */
  body: any;
}

export interface HttpReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** how to answer; the default is a robot's success, 200 {"errcode":0,"errmsg":"ok"} */
  respond: (req: ReceivedRequest) => { status?: number; body?: unknown };
  close(): Promise<void>;
}

export const ROBOT_OK = { status: 200, body: { errcode: 0, errmsg: 'ok' } };

export async function startHttpReceiver(path = '/hook'): Promise<HttpReceiver> {
  const receiver: HttpReceiver = { url: '', requests: [], respond: () => ROBOT_OK, close: async () => {} };
  const server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (raw += d));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://receiver');
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = undefined;
      }
      const request: ReceivedRequest = {
        at: Date.now(),
        method: req.method ?? '',
        target: req.url ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        raw,
        body,
      };
      receiver.requests.push(request);
      const answer = receiver.respond(request);
      res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(answer.body ?? {}));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  receiver.close = () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve())));
  return receiver;
}

export interface ReceivedMail {
  at: number;
  /** the SMTP envelope */
  mailFrom: string;
  rcptTo: string[];
  /** who logged in (undefined without AUTH) */
  user?: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
}

export interface SmtpInbox {
  port: number;
  mails: ReceivedMail[];
  close(): Promise<void>;
}

/** An SMTP server without TLS; with `users`, a login is required and checked. */
export async function startSmtpInbox(users?: Record<string, string>): Promise<SmtpInbox> {
  const { SMTPServer } = await import('smtp-server');
  const { simpleParser } = await import('mailparser');
  const mails: ReceivedMail[] = [];
  const addresses = (a: unknown): string[] => {
    const list = Array.isArray(a) ? a : a ? [a] : [];
    return list.flatMap((x: { value: { address?: string }[] }) => x.value.map((v) => v.address ?? ''));
  };
  const server = new SMTPServer({
    logger: false,
    disabledCommands: ['STARTTLS'],
    authOptional: !users,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (users && users[auth.username ?? ''] === auth.password) callback(null, { user: auth.username });
      else callback(new Error('535 authentication failed'));
    },
    onData(stream, session, callback) {
      simpleParser(stream).then(
        (mail) => {
          mails.push({
            at: Date.now(),
            mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            rcptTo: session.envelope.rcptTo.map((r) => r.address),
            user: session.user as string | undefined,
            from: addresses(mail.from)[0] ?? '',
            to: addresses(mail.to),
            subject: mail.subject ?? '',
            text: mail.text ?? '',
          });
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
