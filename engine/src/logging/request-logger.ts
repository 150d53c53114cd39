import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from './logger.js';

/**
 * One structured log line per HTTP request: method, path, status, duration, principal (successful
 * ACS webhook deliveries at debug).
 */
export function requestLogger(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const requestId = req.header('x-request-id') ?? randomUUID();
    res.setHeader('x-request-id', requestId);
    res.on('finish', () => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const principal = (req as Request & { principal?: { actor: string } }).principal;
      // ACS/Event Grid deliveries that succeeded are routine (one per call event, 1000s/s):
      // debug, not info. Their failures stay visible.
      const level =
        res.statusCode >= 500
          ? 'error'
          : res.statusCode < 400 && req.originalUrl.startsWith('/api/acs/')
            ? 'debug'
            : 'info';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        {
          requestId,
          method: req.method,
          path: req.originalUrl.split('?')[0],
          status: res.statusCode,
          ms: Math.round(ms * 10) / 10,
          actor: principal?.actor,
        },
        'request',
      );
    });
    next();
  };
}
