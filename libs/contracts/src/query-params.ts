import { z } from 'zod';

/**
 * Query-string helpers. Query values arrive as strings (or arrays when repeated); these parse them
 * strictly: `"12"` is 12, but `"1e3"`, `"0x10"`, `" 7"`, `""` and `"12abc"` are rejected rather than
 * silently coerced.
 */
export function intParam(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,12}$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** A boolean query flag: exactly `true` or `false`. */
export const boolParam = z.enum(['true', 'false']).transform((v) => v === 'true');

/** Accepts a single value or a repeated parameter and always yields an array of at most `max`. */
export function repeatedParam<T extends z.ZodType<unknown, string>>(item: T, max: number) {
  return z
    .union([item, z.array(item)])
    .transform((v) => (Array.isArray(v) ? v : [v]) as z.output<T>[])
    .pipe(z.array(z.any()).max(max)) as unknown as z.ZodType<z.output<T>[], string | string[]>;
}

/** URL slugs: lower-case ASCII words joined by single hyphens. */
export const SlugSchema = z
  .string()
  .min(1)
  .max(160)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case slug');
