import type { IncomingMessage, ServerResponse } from 'node:http';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Logger } from '../logging/logger.js';
import { type Problem, problemOf } from './problem.js';

/**
 * Every error becomes `application/problem+json`: ProblemException as thrown, other
 * HttpExceptions (incl. body-parser errors mapped by Nest) converted, anything else a 500
 * without internals.
 */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    this.answer(exception, ctx.getRequest(), ctx.getResponse());
  }

  /** Answers `exception` as problem+json on a plain Node response (Express's or a raw route's). */
  answer(
    exception: unknown,
    req: IncomingMessage & { originalUrl?: string },
    res: ServerResponse,
  ): number {
    const path = (req.originalUrl ?? req.url ?? '').split('?')[0]!;
    const problem = this.toProblem(exception, req.method ?? '', path);
    if (problem.status >= 500) {
      this.logger.error({ err: exception, path }, 'unhandled error');
    }
    if (res.headersSent) return problem.status;
    if (problem.status === 401) res.setHeader('WWW-Authenticate', 'Bearer realm="switchboard"');
    // A problem that says when to come back (429, 503) says it in the header clients read too.
    if (typeof problem.retryAfter === 'number') res.setHeader('Retry-After', problem.retryAfter);
    const body = JSON.stringify(problem);
    res.statusCode = problem.status;
    res.setHeader('Content-Type', 'application/problem+json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(body));
    res.end(body);
    return problem.status;
  }

  private toProblem(exception: unknown, method: string, path: string): Problem {
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      if (typeof body === 'object' && body !== null && 'type' in body && 'status' in body) {
        return body as Problem;
      }
      const cause = (exception as { cause?: unknown }).cause;
      const raw =
        typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
      const message = typeof raw.message === 'string' ? raw.message : exception.message;
      if (status === 413) {
        return problemOf(
          'too-large',
          'The request body is larger than the limit (SWITCHBOARD_MAX_DOCUMENT_BYTES)',
        );
      }
      if (status === 400 && (cause instanceof SyntaxError || /JSON/i.test(message))) {
        return problemOf('malformed-json', `The request body is not valid JSON: ${message}`);
      }
      if (status === 404) return problemOf('not-found', `No route for ${method} ${path}`);
      return { type: 'about:blank', title: exception.name, status, detail: message };
    }
    return problemOf('internal', 'An unexpected error occurred; it has been logged.');
  }
}
