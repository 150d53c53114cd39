import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The designer's page may run only its own scripts (no inline script, nothing from elsewhere) and
 * talk only to its own origin; Fluent UI writes its styles at run time (CSS-in-JS), hence inline
 * styles. `frame-ancestors 'none'`: no site can frame the designer to trick a click.
 */
const PAGE_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** API answers are data, never a page: nothing in them may load or run anything. */
const API_POLICY = "default-src 'none'; frame-ancestors 'none'";

/** Swagger UI's page needs its own inline bootstrap styles; its scripts are files. */
const DOCS_POLICY = PAGE_POLICY;

const isApi = (path: string) =>
  path === '/health' || path === '/metrics' || path === '/api' || path.startsWith('/api/');

/**
 * Security headers on every answer of the engine — API, designer and docs alike. HSTS only
 * behind HTTPS (SWITCHBOARD_SECURE_COOKIES=true says so). CORS stays closed: no
 * Access-Control-Allow-Origin is ever sent, so other sites' pages cannot read the API.
 */
export function securityHeaders(secure: boolean) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const path = (req.url ?? '/').split('?')[0]!;
    const policy = path.startsWith('/api/docs')
      ? DOCS_POLICY
      : isApi(path)
        ? API_POLICY
        : PAGE_POLICY;
    res.setHeader('Content-Security-Policy', policy);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    if (secure) res.setHeader('Strict-Transport-Security', 'max-age=31536000; includeSubDomains');
    next();
  };
}
