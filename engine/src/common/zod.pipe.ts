import { type ArgumentMetadata, Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { validationProblem } from './problem.js';

const WHERE: Record<string, string> = {
  body: 'request body',
  query: 'query string',
  param: 'path parameter',
  custom: 'request',
};

/**
 * Validates a parameter with a zod schema: `@Body(new ZodPipe(Schema))`. Invalid input becomes
 * a 400 problem listing each field path.
 */
@Injectable()
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown, metadata: ArgumentMetadata): z.output<S> {
    const parsed = this.schema.safeParse(value);
    if (!parsed.success) {
      const prefix = metadata.type === 'param' && metadata.data ? [metadata.data] : [];
      throw validationProblem(WHERE[metadata.type] ?? 'request', parsed.error, prefix);
    }
    return parsed.data;
  }
}
