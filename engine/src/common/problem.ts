import { HttpException } from '@nestjs/common';
import type { z } from 'zod';

/** One field-level error in a problem response. `path` names the field, e.g. `nodes[3].config.target`. */
export interface FieldError {
  path: string;
  message: string;
}

/** RFC 9457 problem details, as every error response of the API is shaped. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** Problem type URIs, relative to the API (documented in the OpenAPI page). */
export const problemType = (slug: string) => `/problems/${slug}`;

/**
 * Throw this from anywhere to answer with `application/problem+json`.
 * `extensions` are extra members (e.g. `currentRevision`, `issues`).
 */
export class ProblemException extends HttpException {
  constructor(
    status: number,
    slug: string,
    detail: string,
    extensions: { errors?: FieldError[]; [key: string]: unknown } = {},
  ) {
    const problem: Problem = {
      type: problemType(slug),
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      ...extensions,
    };
    super(problem, status);
  }

  get problem(): Problem {
    return this.getResponse() as Problem;
  }
}

export const notFound = (what: string) =>
  new ProblemException(404, 'not-found', `${what} was not found`);
export const conflict = (detail: string, extensions?: Record<string, unknown>) =>
  new ProblemException(409, 'conflict', detail, extensions);

/** `nodes[3].config.target` from a zod path. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

export function zodFieldErrors(error: z.ZodError, prefix: PropertyKey[] = []): FieldError[] {
  return error.issues.map((issue) => {
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') {
      message = `unknown ${issue.keys.length === 1 ? 'property' : 'properties'} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    }
    return { path: formatPath([...prefix, ...issue.path]), message };
  });
}

/** 400 with one entry per invalid field. `where` is e.g. "request body", "query string". */
export function validationProblem(where: string, error: z.ZodError, prefix: PropertyKey[] = []) {
  const errors = zodFieldErrors(error, prefix);
  const first = errors[0];
  const summary = first ? `${first.path}: ${first.message}` : 'invalid';
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return new ProblemException(
    400,
    'validation-error',
    `The ${where} is invalid: ${summary}${more}`,
    {
      errors,
    },
  );
}
