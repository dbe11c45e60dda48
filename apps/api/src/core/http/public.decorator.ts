import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'access:public';
export const REQUIRED_PERMISSIONS = 'access:permissions';
export const ALLOW_MFA_ENROLMENT = 'access:mfa-enrolment';
export const REQUIRE_RECENT_AUTH = 'access:recent-auth';

/** Marks a route (or controller) as reachable without authentication. */
export const Public = () => SetMetadata(IS_PUBLIC, true);

/**
 * Declares the permissions a route needs (e.g. `catalogue:write`). The caller must be fully signed
 * in (every required factor passed) and hold every listed permission.
 */
export const RequirePermissions = (...permissions: [string, ...string[]]) =>
  SetMetadata(REQUIRED_PERMISSIONS, permissions);

/**
 * Lets a staff member who has passed the password but still has to enrol a second factor reach
 * this route (the MFA enrolment routes only). Everything else refuses such a session.
 */
export const AllowDuringMfaEnrolment = () => SetMetadata(ALLOW_MFA_ENROLMENT, true);

/**
 * Step-up: the route also needs a sign-in or re-authentication within `STEP_UP_MAX_AGE_SECONDS`
 * (changing email, password or MFA; staff refunds and role changes).
 */
export const RequireRecentAuth = () => SetMetadata(REQUIRE_RECENT_AUTH, true);
