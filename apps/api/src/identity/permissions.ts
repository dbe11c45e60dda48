/**
 * Roles and permissions. Permissions name one action each (`resource:action`); roles are fixed
 * bundles of them, reviewed in code rather than edited at run time. A route declares the
 * permissions it needs with `@RequirePermissions(...)`; a user holds the union of their roles'.
 */
export const PERMISSIONS = [
  /** Manage one's own account: profile, sessions, MFA, addresses, orders. */
  'account:own',
  'catalogue:read',
  'catalogue:write',
  'inventory:write',
  'orders:read',
  'orders:write',
  'orders:refund',
  'customers:read',
  'customers:write',
  'staff:manage',
  'audit:read',
] as const;

/** One of {@link PERMISSIONS}. */
export type Permission = (typeof PERMISSIONS)[number];

/** Roles a customer account can hold. */
export const CUSTOMER_ROLES = ['customer'] as const;
/** Roles a staff account can hold (any combination). */
export const STAFF_ROLES = [
  'catalogue-editor',
  'order-manager',
  'support',
  'administrator',
] as const;

/** One of the roles. */
export type Role = (typeof CUSTOMER_ROLES)[number] | (typeof STAFF_ROLES)[number];

/** What each role may do. Least privilege: each staff role gets only its job's permissions. */
export const ROLE_PERMISSIONS: Readonly<Record<Role, readonly Permission[]>> = {
  customer: ['account:own'],
  'catalogue-editor': ['account:own', 'catalogue:read', 'catalogue:write', 'inventory:write'],
  'order-manager': [
    'account:own',
    'orders:read',
    'orders:write',
    'orders:refund',
    'customers:read',
  ],
  support: ['account:own', 'orders:read', 'customers:read'],
  administrator: [
    'account:own',
    'catalogue:read',
    'orders:read',
    'customers:read',
    'customers:write',
    'staff:manage',
    'audit:read',
  ],
};

/** The permissions held by a set of roles (unknown role names grant nothing). */
export function permissionsOf(roles: readonly string[]): Set<Permission> {
  const granted = new Set<Permission>();
  for (const role of roles) {
    const perms = (ROLE_PERMISSIONS as Record<string, readonly Permission[] | undefined>)[role];
    for (const p of perms ?? []) granted.add(p);
  }
  return granted;
}

/** True for a staff role name. */
export function isStaffRole(role: string): role is (typeof STAFF_ROLES)[number] {
  return (STAFF_ROLES as readonly string[]).includes(role);
}
