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

const TITLES = {
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
} as Record<number, string> &
  Record<400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 428 | 429 | 500 | 503, string>;

/**
 * Every problem type the API answers with, by slug, and its status: one registry, so a slug
 * always means the same status (the constructor below only takes a slug with its own status)
 * and a client can rely on `type`.
 */
export const PROBLEM_TYPES = {
  'validation-error': 400,
  'malformed-json': 400,
  'malformed-event': 400,
  unauthorized: 401,
  forbidden: 403,
  'cross-site': 403,
  'not-found': 404,
  conflict: 409,
  'not-a-test-call': 409,
  'test-call-ended': 409,
  'test-call-not-ready': 409,
  'run-not-ended': 409,
  'secrets-key-missing': 409,
  'too-large': 413,
  'document-too-large': 413,
  'unsupported-media-type': 415,
  'invalid-flow': 422,
  'invalid-reference': 422,
  'not-outbound': 422,
  'scenarios-failing': 422,
  'precondition-required': 428,
  'too-many-test-calls': 429,
  'too-many-streams': 429,
  'too-many-logins': 429,
  internal: 500,
  unavailable: 503,
} as const satisfies Record<string, keyof typeof TITLES>;

export type ProblemSlug = keyof typeof PROBLEM_TYPES;

/** Problem type URIs, relative to the API (documented in the OpenAPI page). */
export const problemType = (slug: ProblemSlug) => `/problems/${slug}`;

/** The problem body of a registered type. */
export function problemOf<S extends ProblemSlug>(
  slug: S,
  detail: string,
  extensions: { errors?: FieldError[]; [key: string]: unknown } = {},
): Problem {
  const status = PROBLEM_TYPES[slug];
  return {
    type: problemType(slug),
    title: TITLES[status] ?? 'Error',
    status,
    detail,
    ...extensions,
  };
}

/**
 * Throw this from anywhere to answer with `application/problem+json`.
 * `extensions` are extra members (e.g. `currentRevision`, `issues`).
 */
export class ProblemException<S extends ProblemSlug = ProblemSlug> extends HttpException {
  constructor(
    status: (typeof PROBLEM_TYPES)[NoInfer<S>],
    slug: S,
    detail: string,
    extensions: { errors?: FieldError[]; [key: string]: unknown } = {},
  ) {
    super(problemOf(slug, detail, extensions), status);
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
