import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'access:public';
export const REQUIRED_PERMISSIONS = 'access:permissions';

/** Marks a route (or controller) as reachable without authentication. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * Declares the permissions a route needs (e.g. `catalogue:write`). Until the identity context
 * resolves principals, any route declaring permissions is refused: deny by default.
 */
export const RequirePermissions = (...permissions: [string, ...string[]]) =>
  SetMetadata(REQUIRED_PERMISSIONS, permissions);
