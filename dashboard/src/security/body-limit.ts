/**
 * Request bodies: JSON only, at most `limitBytes`. A declared length over the limit is refused
 * (413) before a byte of it is read; a chunked body is cut by the JSON parser at the limit (413);
 * anything but JSON — a form post, text, a compressed body — is refused (415). The route never
 * runs, so nothing changes.
 */
import express, { type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import type { MetricsRegistry } from '@campus/runtime';
import { countRefusal } from './refusals.ts';

/** Whether a request says it carries a body. */
export const hasBody = (req: Request): boolean => req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;

const kib = (bytes: number) => (bytes % 1024 === 0 ? `${bytes / 1024} KiB` : `${bytes} bytes`);

function tooLarge(limitBytes: number) {
  return { error: 'payload_too_large', message: `请求内容过大：最多 ${kib(limitBytes)} (request body larger than ${kib(limitBytes)})` };
}

/** The checks, then the JSON parser itself. */
export function bodyLimit(limitBytes: number, metrics: MetricsRegistry): RequestHandler[] {
  const check: RequestHandler = (req, res, next) => {
    if (!hasBody(req)) return next();
    const declared = req.headers['content-length'];
    if (declared !== undefined && Number(declared) > limitBytes) {
      countRefusal(metrics, 'payload_too_large');
      return void res.status(413).json(tooLarge(limitBytes));
    }
    const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
    if (!req.is('application/json') || encoding !== 'identity') {
      countRefusal(metrics, 'unsupported_media_type');
      return void res.status(415).json({ error: 'unsupported_media_type', message: '请求内容须为 JSON (send the body as uncompressed application/json)' });
    }
    next();
  };
  return [check, express.json({ limit: limitBytes, inflate: false, type: 'application/json' })];
}

/** The JSON parser's own refusals, as clear JSON; after the body timeout answered, nothing more. */
export function bodyErrors(limitBytes: number, metrics: MetricsRegistry): ErrorRequestHandler {
  return (err: Error & { type?: string }, _req, res, next) => {
    if (res.headersSent) return;
    if (err.type === 'entity.too.large') {
      countRefusal(metrics, 'payload_too_large');
      return void res.status(413).json(tooLarge(limitBytes));
    }
    if (err.type === 'entity.parse.failed') return void res.status(400).json({ error: 'bad_json', message: '请求内容不是有效的 JSON (malformed JSON body)' });
    next(err);
  };
}
