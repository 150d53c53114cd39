import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';

/** Paths the API owns; everything else can be the designer's single-page app. */
const API_PREFIXES = ['/api/', '/api', '/health', '/metrics'];

const isApiPath = (path: string) =>
  API_PREFIXES.some((p) => path === p || path.startsWith(p.endsWith('/') ? p : `${p}/`));

/**
 * Serves the designer's built files (designer/dist) at `/`, and index.html for any other
 * non-API GET (client-side routes), so the designer is same-origin with the API.
 * Returns undefined when the designer has not been built.
 */
export function designerStatic(dir: string) {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) return undefined;
  const files = express.static(dir, { index: false, maxAge: '1h' });
  return (req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApiPath(req.path)) return next();
    files(req, res, () => {
      if (req.accepts(['html', 'json']) !== 'html') return next();
      res.setHeader('cache-control', 'no-cache');
      res.sendFile(index);
    });
  };
}
