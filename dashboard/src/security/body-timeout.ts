/**
 * A slow POST (headers sent at once, then the body a byte at a time) is cut: once the headers
 * are in, the body must arrive within `timeoutMs`, or the client gets 408 and the connection is
 * closed. Node's own requestTimeout is the backstop for everything else (security/slow-clients.ts).
 */
import type { RequestHandler } from 'express';
import type { MetricsRegistry } from '@campus/runtime';
import { hasBody } from './body-limit.ts';
import { countRefusal } from './refusals.ts';

export function bodyTimeout(timeoutMs: number, metrics: MetricsRegistry): RequestHandler {
  return (req, res, next) => {
    if (!hasBody(req) || req.complete) return next();
    const timer = setTimeout(() => {
      if (req.complete) return;
      countRefusal(metrics, 'body_timeout');
      if (res.headersSent) return void req.socket.destroy();
      res.on('finish', () => req.socket.destroy());
      res
        .status(408)
        .set('connection', 'close')
        .json({ error: 'body_timeout', message: `请求内容 ${Math.round(timeoutMs / 1000)} 秒内未传完，连接已关闭 (request body too slow)` });
    }, timeoutMs);
    const done = () => clearTimeout(timer);
    req.once('end', done);
    res.once('close', done);
    next();
  };
}
