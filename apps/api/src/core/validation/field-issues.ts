import type { z } from 'zod';
import { ruleOfPattern, type FieldIssue, type FieldRule } from '@storefront/contracts';

/** The value at `path` inside `input`, or undefined when any step is missing. */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** Bounds are plain numbers in the contract (a bigint or a date bound is left out). */
const asLimit = (bound: unknown): number | undefined =>
  typeof bound === 'number' && Number.isFinite(bound) ? bound : undefined;

/** The rule (and bound) of one zod issue, given the input that was parsed. */
function ruleOf(issue: z.core.$ZodIssue, input: unknown): { rule: FieldRule; limit?: number } {
  switch (issue.code) {
    case 'invalid_type':
      return { rule: valueAt(input, issue.path) === undefined ? 'required' : 'invalid_type' };
    case 'too_small': {
      const limit = asLimit(issue.minimum);
      if (issue.origin === 'string') {
        // An empty string where one character is the least is a field left blank.
        return limit === 1 ? { rule: 'required' } : { rule: 'too_short', ...withLimit(limit) };
      }
      if (issue.origin === 'array' || issue.origin === 'set') {
        return { rule: 'too_few', ...withLimit(limit) };
      }
      return { rule: 'too_small', ...withLimit(limit) };
    }
    case 'too_big': {
      const limit = asLimit(issue.maximum);
      if (issue.origin === 'string') return { rule: 'too_long', ...withLimit(limit) };
      if (issue.origin === 'array' || issue.origin === 'set') {
        return { rule: 'too_many', ...withLimit(limit) };
      }
      return { rule: 'too_big', ...withLimit(limit) };
    }
    case 'invalid_format':
      if (issue.format === 'email') return { rule: 'invalid_email' };
      if (issue.format === 'regex' && issue.pattern !== undefined) {
        return { rule: ruleOfPattern(issue.pattern) ?? 'invalid_format' };
      }
      return { rule: 'invalid_format' };
    case 'invalid_value':
      return { rule: 'invalid_choice' };
    case 'unrecognized_keys':
      return { rule: 'unknown_field' };
    default:
      return { rule: 'invalid' };
  }
}

const withLimit = (limit: number | undefined) => (limit === undefined ? {} : { limit });

/**
 * The API's field issues of a failed zod parse: the field's dotted path (or `fallbackPath` for the
 * input as a whole), a machine-readable rule with its bound so clients can say it in their own
 * language, and zod's English message.
 */
export function fieldIssuesOf(
  error: z.ZodError,
  input: unknown,
  fallbackPath: string,
): FieldIssue[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.') || fallbackPath,
    ...ruleOf(issue, input),
    message: issue.message,
  }));
}
