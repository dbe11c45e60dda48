import { z } from 'zod';
import type { ProductSort } from '@storefront/contracts';
import { DomainError } from '../core/errors/domain-error';

/** The position after the last row of a page: its sort value and id (keyset pagination). */
export interface ProductCursor {
  sort: ProductSort;
  value: string | number;
  id: string;
}

const VALUE_BY_SORT: Record<ProductSort, z.ZodType<string | number>> = {
  newest: z.string().regex(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}(:\d{2})?$/),
  price_asc: z.number().int().min(0).max(2_147_483_647),
  price_desc: z.number().int().min(0).max(2_147_483_647),
  name_asc: z.string().max(200),
  relevance: z.string().regex(/^\d{1,6}(\.\d{1,6})?$/),
};

const CursorSchema = z.strictObject({ s: z.string(), v: z.unknown(), id: z.uuid() });

/** Encodes a cursor as opaque base64url JSON. */
export function encodeCursor(cursor: ProductCursor): string {
  return Buffer.from(JSON.stringify({ s: cursor.sort, v: cursor.value, id: cursor.id })).toString(
    'base64url',
  );
}

/**
 * Decodes and validates a cursor for the request's sort. Anything malformed, tampered with or made
 * for another sort order is a 400 `INVALID_CURSOR`; the values only ever reach SQL as parameters.
 */
export function decodeCursor(raw: string, sort: ProductSort): ProductCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw new DomainError('INVALID_CURSOR');
  }
  const shape = CursorSchema.safeParse(parsed);
  if (!shape.success || shape.data.s !== sort) throw new DomainError('INVALID_CURSOR');
  const value = VALUE_BY_SORT[sort].safeParse(shape.data.v);
  if (!value.success) throw new DomainError('INVALID_CURSOR');
  return { sort, value: value.data, id: shape.data.id };
}
