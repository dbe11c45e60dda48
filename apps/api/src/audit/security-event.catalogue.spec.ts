import { AUDIT_ACTIONS } from '@storefront/contracts';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { SECURITY_EVENTS, type SecurityEventName } from './security-event.catalogue';

const NAMES = Object.keys(SECURITY_EVENTS) as SecurityEventName[];

/** Values that are personal data or could forge a log line: no string field may accept them. */
const FORBIDDEN_STRINGS = [
  'alice@example.com',
  'Alice Martin',
  '+33 6 12 34 56 78',
  '12 rue de la Paix, 75002 Paris',
  'line\nforged={"securityEvent":"x"}',
  'hunter2 hunter2',
  'x'.repeat(65),
  '',
];

interface Leaf {
  path: string;
  schema: z.ZodType;
}

/** Every leaf schema of a details object, or a failure naming a type the catalogue must not use. */
function leaves(schema: z.ZodType, path: string, out: Leaf[]): Leaf[] {
  const def = schema._zod.def as unknown as {
    type: string;
    shape?: Record<string, z.ZodType>;
    element?: z.ZodType;
    innerType?: z.ZodType;
  };
  switch (def.type) {
    case 'object':
      for (const [key, field] of Object.entries(def.shape ?? {}))
        leaves(field, `${path}.${key}`, out);
      return out;
    case 'array':
      return leaves(def.element as z.ZodType, `${path}[]`, out);
    case 'optional':
    case 'nullable':
      return leaves(def.innerType as z.ZodType, path, out);
    case 'string':
    case 'enum':
    case 'number':
    case 'boolean':
      out.push({ path, schema });
      return out;
    default:
      throw new Error(`${path}: a details schema may not use ${def.type}`);
  }
}

describe('security event catalogue', () => {
  it('names events with stable dotted lower-case names', () => {
    for (const name of NAMES) expect(name).toMatch(/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$/);
  });

  it('marks as audited exactly the actions of the contracts (AUDIT_ACTIONS)', () => {
    const audited = NAMES.filter((n) => SECURITY_EVENTS[n].audit).sort();
    expect(audited).toEqual([...AUDIT_ACTIONS].sort());
  });

  it('keeps attacker-driven events out of the audit table (log lines only)', () => {
    for (const name of [
      'auth.login.failed',
      'auth.mfa.challenge.failed',
      'auth.password.reset.requested',
      'access.denied',
      'csrf.rejected',
      'rate_limit.exceeded',
      'csp.violation.reported',
    ] as const) {
      expect(SECURITY_EVENTS[name].audit, name).toBe(false);
    }
  });

  it.each(NAMES)('%s: its example is valid and its schema is strict', (name) => {
    const { details, example } = SECURITY_EVENTS[name];
    expect(details.safeParse(example).success).toBe(true);
    expect(details.safeParse({ ...example, email: 'alice@example.com' }).success).toBe(false);
  });

  it.each(NAMES)('%s: no field can carry personal data or a line break', (name) => {
    const found = leaves(SECURITY_EVENTS[name].details, name, []);
    for (const leaf of found) {
      for (const value of FORBIDDEN_STRINGS) {
        expect(leaf.schema.safeParse(value).success, `${leaf.path} accepted ${value}`).toBe(false);
      }
      // Numbers are bounded integers: no phone number, no card number.
      expect(leaf.schema.safeParse(33_612_345_678).success, leaf.path).toBe(false);
      expect(leaf.schema.safeParse(1.5).success, leaf.path).toBe(false);
    }
  });
});
