/**
 * Shared helpers of the infra tests: walk the resources of synthesized templates.
 * Each spec synthesises its app once and passes the templates around.
 */
import type { Template } from 'aws-cdk-lib/assertions';

/** A CloudFormation resource as it appears in a template. */
export interface CfnResourceJson {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Condition?: string;
}

/** A template with the name of its stack. */
export interface NamedTemplate {
  readonly stackName: string;
  readonly template: Template;
}

/** Every resource of `type` in `template`, by logical id. */
export function resourcesOf(template: Template, type: string): [string, CfnResourceJson][] {
  return Object.entries(template.findResources(type) as Record<string, CfnResourceJson>);
}

/** Every resource of `type` in all templates, with the stack it belongs to. */
export function resourcesAcross(
  templates: readonly NamedTemplate[],
  type: string,
): { stackName: string; logicalId: string; resource: CfnResourceJson }[] {
  return templates.flatMap(({ stackName, template }) =>
    resourcesOf(template, type).map(([logicalId, resource]) => ({
      stackName,
      logicalId,
      resource,
    })),
  );
}

/** Properties of a resource (empty object when none). */
export function props(resource: CfnResourceJson): Record<string, unknown> {
  return resource.Properties ?? {};
}

/** Narrows `value` to a plain object. */
export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

/** Narrows `value` to an array. */
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** `{ Ref: id }` or `{ Fn::GetAtt: [id, …] }` pointing at `logicalId`. */
export function refersTo(value: unknown, logicalId: string): boolean {
  const record = asRecord(value);
  if (record.Ref === logicalId) return true;
  const getAtt = asArray(record['Fn::GetAtt']);
  return getAtt[0] === logicalId;
}

/** Logical id that `value` references with Ref or Fn::GetAtt, if any. */
export function referencedId(value: unknown): string | undefined {
  const record = asRecord(value);
  if (typeof record.Ref === 'string') return record.Ref;
  const first = asArray(record['Fn::GetAtt'])[0];
  return typeof first === 'string' ? first : undefined;
}

/** The one resource of `type` (whose logical id starts with `prefix`); throws unless exactly one. */
export function single(template: Template, type: string, prefix = ''): [string, CfnResourceJson] {
  const matches = resourcesOf(template, type).filter(([id]) => id.startsWith(prefix));
  const [first] = matches;
  if (matches.length !== 1 || first === undefined) {
    throw new Error(`expected one ${type} starting with "${prefix}", found ${matches.length}`);
  }
  return first;
}
