import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { AddressInputSchema, FieldIssueSchema } from '@storefront/contracts';
import { fieldIssuesOf } from './field-issues';

const Form = z.strictObject({
  email: z.string().trim().max(254).pipe(z.email()),
  name: z.string().min(1).max(10),
  code: z.string().min(4).optional(),
  quantity: z.number().int().min(1).max(99).optional(),
  tags: z.array(z.string()).min(1).max(2).optional(),
  method: z.enum(['standard', 'express']).optional(),
});

function issuesOf(input: unknown) {
  const result = Form.safeParse(input);
  if (result.success) throw new Error('expected a refusal');
  return fieldIssuesOf(result.error, input, 'body');
}

const valid = { email: 'a@example.com', name: 'Ann' };

describe('field issues', () => {
  it('gives each refused field a rule, with the bound of length and size rules', () => {
    expect(issuesOf({ ...valid, email: undefined })).toMatchObject([
      { path: 'email', rule: 'required' },
    ]);
    expect(issuesOf({ ...valid, name: '' })).toMatchObject([{ path: 'name', rule: 'required' }]);
    expect(issuesOf({ ...valid, name: 'x'.repeat(11) })).toMatchObject([
      { path: 'name', rule: 'too_long', limit: 10 },
    ]);
    expect(issuesOf({ ...valid, code: 'abc' })).toMatchObject([
      { path: 'code', rule: 'too_short', limit: 4 },
    ]);
    expect(issuesOf({ ...valid, quantity: 0 })).toMatchObject([
      { path: 'quantity', rule: 'too_small', limit: 1 },
    ]);
    expect(issuesOf({ ...valid, quantity: 100 })).toMatchObject([
      { path: 'quantity', rule: 'too_big', limit: 99 },
    ]);
    expect(issuesOf({ ...valid, tags: [] })).toMatchObject([
      { path: 'tags', rule: 'too_few', limit: 1 },
    ]);
    expect(issuesOf({ ...valid, tags: ['a', 'b', 'c'] })).toMatchObject([
      { path: 'tags', rule: 'too_many', limit: 2 },
    ]);
    expect(issuesOf({ ...valid, email: 'not an address' })).toMatchObject([
      { path: 'email', rule: 'invalid_email' },
    ]);
    expect(issuesOf({ ...valid, method: 'drone' })).toMatchObject([
      { path: 'method', rule: 'invalid_choice' },
    ]);
    expect(issuesOf({ ...valid, quantity: 'two' })).toMatchObject([
      { path: 'quantity', rule: 'invalid_type' },
    ]);
    expect(issuesOf({ ...valid, isAdmin: true })).toMatchObject([
      { path: 'body', rule: 'unknown_field' },
    ]);
  });

  it('keeps zod’s English message, and every issue fits the contract', () => {
    const issues = issuesOf({ email: 'x', name: '', quantity: 0, tags: [], isAdmin: true });
    expect(issues.length).toBeGreaterThanOrEqual(5);
    for (const issue of issues) {
      expect(FieldIssueSchema.parse(issue)).toEqual(issue);
      expect(issue.message.length).toBeGreaterThan(0);
    }
  });

  it('names the rule of a contract’s pattern check, and falls back to invalid_format', () => {
    const address = {
      fullName: 'Ada Lovelace',
      line1: 'first\nsecond',
      postalCode: '!!',
      city: 'Paris',
      country: 'FR',
      phone: 'call me',
    };
    const result = AddressInputSchema.safeParse(address);
    if (result.success) throw new Error('expected a refusal');
    const rules = Object.fromEntries(
      fieldIssuesOf(result.error, address, 'body').map((issue) => [issue.path, issue.rule]),
    );
    expect(rules).toEqual({
      line1: 'single_line',
      postalCode: 'invalid_postal_code',
      phone: 'invalid_phone',
    });
    const Unnamed = z.strictObject({ ref: z.string().regex(/^[A-Z]{3}$/) });
    const unnamed = Unnamed.safeParse({ ref: 'abc' });
    if (unnamed.success) throw new Error('expected a refusal');
    expect(fieldIssuesOf(unnamed.error, { ref: 'abc' }, 'body')).toMatchObject([
      { path: 'ref', rule: 'invalid_format' },
    ]);
  });
});
