/**
 * API contracts shared by the API (validation, OpenAPI) and the web app (typed calls): one schema
 * per request and response, so no field is accepted or leaked by accident.
 */
export * from './errors';
export * from './money';
export * from './health';
export * from './query-params';
export * from './catalogue';
export * from './audit';
export * from './identity';
export * from './passkeys';
export * from './payments';
export * from './cart';
export * from './orders';
