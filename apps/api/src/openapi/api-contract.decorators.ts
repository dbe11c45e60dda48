import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiParam, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { ErrorBodySchema } from '@storefront/contracts';
import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

/** JSON Schema (OpenAPI 3.0 dialect) of a zod schema: the contract, not a hand-written copy. */
export function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output' = 'output'): JsonSchema {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io,
    unrepresentable: 'any',
  }) as JsonSchema;
  return rest;
}

/** Documents a JSON response of a route with its contract schema. */
export function ApiJsonResponse(status: number, schema: z.ZodType, description: string) {
  return ApiResponse({ status, description, schema: jsonSchemaOf(schema) });
}

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid request (`VALIDATION_FAILED`, `INVALID_CURSOR`, `MALFORMED_BODY`).',
  401: 'Not signed in, or the credentials or code are wrong (`UNAUTHENTICATED`, `INVALID_CREDENTIALS`, `MFA_REQUIRED`, `REAUTHENTICATION_REQUIRED`, `INVALID_MFA_CODE`).',
  403: 'Refused (`FORBIDDEN`, `CSRF_REJECTED`, `MFA_ENROLMENT_REQUIRED`, `EMAIL_NOT_VERIFIED`).',
  404: 'Not found.',
  409: 'Conflicts with the current state (`CONFLICT`, `CART_ITEM_UNAVAILABLE`, `CART_LIMIT_EXCEEDED`, `CHECKOUT_NOT_READY`, `ORDER_STATE_CONFLICT`, `REFUND_NOT_ALLOWED`, `PAYMENT_STATE_CONFLICT`).',
  422: 'Refused by a rule: the password policy (`WEAK_PASSWORD`), a coupon that cannot be applied (`COUPON_NOT_APPLICABLE`).',
  429: 'Rate limited; see `Retry-After`.',
  502: 'The payment provider refused the request (`PAYMENT_PROVIDER_ERROR`).',
  503: 'A dependency is unavailable (`SERVICE_UNAVAILABLE`, `PAYMENT_PROVIDER_UNAVAILABLE`).',
};

/** Documents a JSON request body with its contract schema (the input side). */
export function ApiBodyFrom(schema: z.ZodType) {
  return ApiBody({ schema: jsonSchemaOf(schema, 'input') });
}

/** Documents the error responses a route can give, all in the stable error envelope. */
export function ApiErrorResponses(...statuses: number[]) {
  const error = jsonSchemaOf(ErrorBodySchema);
  return applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: ERROR_DESCRIPTIONS[status] ?? 'Error.', schema: error }),
    ),
  );
}

/** Documents every parameter of a query contract (its input side: what clients send). */
export function ApiQueryFrom(schema: z.ZodObject) {
  return applyDecorators(
    ...Object.entries(schema.shape).map(([name, field]) => {
      const fieldSchema = field as z.ZodType;
      const json = jsonSchemaOf(fieldSchema, 'input');
      return ApiQuery({
        name,
        required: !fieldSchema.safeParse(undefined).success,
        description: fieldSchema.description,
        schema: json,
      });
    }),
  );
}

/** Documents the path parameters of a params contract. */
export function ApiParamsFrom(schema: z.ZodObject) {
  return applyDecorators(
    ...Object.entries(schema.shape).map(([name, field]) =>
      ApiParam({ name, required: true, schema: jsonSchemaOf(field as z.ZodType, 'input') }),
    ),
  );
}
