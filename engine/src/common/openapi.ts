import { applyDecorators, HttpCode } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

/** OpenAPI 3.0 JSON Schema of a zod schema (the same schema the pipe validates with). */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema {
  const json = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  delete json.$schema;
  delete json.id;
  return json;
}

export const ProblemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});

export interface EndpointDoc {
  summary: string;
  description?: string;
  body?: z.ZodType;
  /** A zod object whose keys are the query parameters. */
  query?: z.ZodObject;
  response?: z.ZodType;
  /** Success status (default 200; also sets the HTTP code). */
  status?: number;
  /** Error statuses this endpoint documents, with what they mean. */
  errors?: Record<number, string>;
  /** Content type of a non-JSON success body. */
  produces?: string;
}

/**
 * Documents a route in the OpenAPI page from zod schemas. Any module's controllers can use it;
 * SwaggerModule picks every controller up at start.
 */
export function ApiEndpoint(doc: EndpointDoc) {
  const status = doc.status ?? 200;
  const decorators: (MethodDecorator | ClassDecorator)[] = [
    ApiOperation({ summary: doc.summary, description: doc.description }),
    HttpCode(status),
    ApiResponse(
      doc.response
        ? { status, schema: openApiSchema(doc.response) as never }
        : { status, description: status === 204 ? 'No content' : 'OK' },
    ),
  ];
  if (doc.body) decorators.push(ApiBody({ schema: openApiSchema(doc.body, 'input') as never }));
  if (doc.query) {
    for (const [name, field] of Object.entries(doc.query.shape)) {
      const schema = openApiSchema(field as z.ZodType, 'input');
      decorators.push(
        ApiQuery({
          name,
          required: !(field as z.ZodType).safeParse(undefined).success,
          schema: schema as never,
          description: typeof schema.description === 'string' ? schema.description : undefined,
        }),
      );
    }
  }
  const problem = openApiSchema(ProblemSchema) as never;
  const errors: Record<number, string> = {
    400: 'Invalid request',
    401: 'Not signed in',
    403: 'Role not allowed',
    ...doc.errors,
  };
  for (const [code, description] of Object.entries(errors)) {
    decorators.push(
      ApiResponse({
        status: Number(code),
        description,
        content: { 'application/problem+json': { schema: problem } },
      }),
    );
  }
  return applyDecorators(...decorators);
}
