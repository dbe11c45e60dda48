import type { z } from 'zod';

/** A class carrying a zod schema, usable as a parameter type that the global pipe validates. */
export interface ZodDtoClass<S extends z.ZodType = z.ZodType> {
  new (): z.output<S>;
  readonly schema: S;
}

/**
 * Makes a DTO class from a shared contract schema, so one schema drives validation, the OpenAPI
 * description and the web app's types:
 *
 *     export class ListProductsQueryDto extends zodDto(ListProductsQuerySchema) {}
 */
export function zodDto<S extends z.ZodType>(schema: S): ZodDtoClass<S> {
  return class ZodDto {
    static readonly schema = schema;
    /** Marks instances as validated DTOs (the pipe returns plain parsed objects). */
    readonly validated = true;
  } as unknown as ZodDtoClass<S>;
}

/** True when `value` is a class made by {@link zodDto}. */
export function isZodDto(value: unknown): value is ZodDtoClass {
  return typeof value === 'function' && 'schema' in value && value.schema !== undefined;
}
