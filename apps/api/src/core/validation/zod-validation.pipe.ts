import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { fieldIssuesOf } from './field-issues';
import { isZodDto } from './zod-dto';

/**
 * The global validation pipe. Every `@Body()`, `@Query()` and `@Param()` whose type is a
 * {@link zodDto} class is parsed with its schema: unknown fields are rejected (strict objects, so no
 * mass assignment), strings are converted to the declared types, and failures become a 400
 * `VALIDATION_FAILED` naming each field with a machine-readable rule (`field-issues.ts`). A body or query without a schema is refused outright, so a
 * forgotten DTO fails closed.
 */
@Injectable()
export class ZodValidationPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') return value;
    const metatype = metadata.metatype;
    if (!isZodDto(metatype)) {
      if (metadata.type === 'param' && metadata.data !== undefined) {
        throw new Error(`Route parameter "${metadata.data}" must be declared through a zod DTO`);
      }
      throw new Error(
        `A @${metadata.type === 'body' ? 'Body' : 'Query'}() argument has no zod DTO`,
      );
    }
    const input = value ?? {};
    const result = metatype.schema.safeParse(input);
    if (result.success) return result.data;
    throw new DomainError(
      'VALIDATION_FAILED',
      undefined,
      fieldIssuesOf(result.error, input, metadata.type === 'body' ? 'body' : metadata.type),
    );
  }
}
