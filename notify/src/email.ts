/**
 * Email over SMTP (nodemailer): plain text, subject = the message's title and the school. One
 * connection per message (they are rare); TLS from the start on port 465, STARTTLS elsewhere when
 * the server offers it. A 5xx answer or a refused login is final; the rest is worth a retry.
 */
import { createTransport } from 'nodemailer';
import type { Sender } from './dispatcher.ts';
import { SendError } from './http.ts';
import { plainText } from './message.ts';

export interface SmtpSettings {
  host: string;
  port: number;
  secure?: boolean;
  user?: string;
  password?: string;
}

export function emailSender(smtp: SmtpSettings, from: string, to: readonly string[]): Sender {
  const transport = createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure ?? smtp.port === 465,
    auth: smtp.user ? { user: smtp.user, pass: smtp.password ?? '' } : undefined,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
  });
  return {
    async send(m) {
      try {
        await transport.sendMail({ from, to: [...to], subject: `${m.title} — ${m.site}`, text: plainText(m) });
      } catch (err) {
        const e = err as Error & { code?: string; responseCode?: number };
        const final = (e.responseCode ?? 0) >= 500 || e.code === 'EAUTH' || e.code === 'EENVELOPE';
        throw new SendError(`SMTP ${smtp.host}:${smtp.port}: ${e.message}`, !final, { cause: err });
      }
    },
    close: () => transport.close(),
  };
}
