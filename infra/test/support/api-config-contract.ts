/**
 * The contract between the task definitions and the API: every process the stacks start from the
 * API image must pass the API's own production configuration check (`loadConfig` in
 * apps/api/src/config/app-config.ts), with the values the deployment will really inject.
 *
 * The loader is imported at test time by path, deliberately not through a static import: infra
 * does not depend on the API (Nx boundaries), the API's configuration is the authority, and this
 * test only reads it. Deploy-time values (imported ARNs, endpoints, generated secrets) are
 * replaced by samples of the same shape: generated secrets follow their `GenerateSecretString`
 * (length, excluded characters), literal secrets are used as they are.
 */
import { randomInt } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Template } from 'aws-cdk-lib/assertions';
import { asArray, asRecord, props, referencedId, resourcesOf } from './templates.ts';

/** The part of the API's configuration module this contract uses. */
export interface ApiConfigModule {
  loadConfig(
    source: Record<string, string | undefined>,
    role?: 'api' | 'mail-worker' | 'migrate' | 'audit-verify' | 'field-keys',
  ): {
    isProduction: boolean;
    identity: { publicOrigins: string[]; webauthn: { rpId: string; origins: string[] } };
    fieldEncryption: { provider: { kind: string; keyId?: string } };
    mail: {
      transport: { kind: string; tls?: string; url?: string };
      worker: string;
      from: string;
      publicBaseUrl: string;
    };
    payments: { provider: string };
    audit: { hmacKey: string; previousHmacKeys: string[] };
  };
}

/** Loads the API's configuration module (TypeScript, through Vitest's transform). */
export async function apiConfigModule(): Promise<ApiConfigModule> {
  const path = fileURLToPath(
    new URL('../../../apps/api/src/config/app-config.ts', import.meta.url),
  );
  return (await import(path)) as ApiConfigModule;
}

/** What the deployment resolves `Fn::ImportValue` / `Fn::GetAtt` of an ARN or endpoint to. */
const SAMPLE_KMS_KEY_ARN =
  'arn:aws:kms:eu-west-3:111111111111:key/mrk-0123456789abcdef0123456789abcdef';
const SAMPLE_HOST = 'resource.eu-west-3.example.internal';

/** Secrets Manager's generation alphabet (ASCII letters, digits and its 32 punctuation marks). */
const LETTERS_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';

function generatedSample(spec: Record<string, unknown>): string {
  const excluded = typeof spec.ExcludeCharacters === 'string' ? spec.ExcludeCharacters : '';
  // ASCII only: splitting into characters is exact.
  const candidates = LETTERS_DIGITS + (spec.ExcludePunctuation === true ? '' : PUNCTUATION);
  const alphabet = Array.from(candidates)
    .filter((c) => !excluded.includes(c))
    .join('');
  const length = typeof spec.PasswordLength === 'number' ? spec.PasswordLength : 32;
  return Array.from({ length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/** A sample of what a secret of `template` will hold once deployed. */
function secretSample(template: Template, logicalId: string): string {
  const [, secret] =
    resourcesOf(template, 'AWS::SecretsManager::Secret').find(([id]) => id === logicalId) ?? [];
  if (secret === undefined) throw new Error(`no secret ${logicalId}`);
  const generate = props(secret).GenerateSecretString;
  if (generate !== undefined) return generatedSample(asRecord(generate));
  return sampleValue(template, props(secret).SecretString);
}

/** Resolves a template value to a sample string (joins, references, dynamic references). */
function sampleValue(template: Template, value: unknown): string {
  if (typeof value === 'string') return value;
  const join = asArray(asRecord(value)['Fn::Join']);
  if (join.length === 2) {
    const [separator, parts] = join;
    const marked = asArray(parts)
      .map((part) => {
        if (typeof part === 'string') return part;
        const id = referencedId(part);
        if (id !== undefined) return `§REF:${id}§`;
        // Ports are exported as numbers, everything else here is a host name or an ARN.
        const imported = JSON.stringify(asRecord(part)['Fn::ImportValue'] ?? '');
        return /Port/.test(imported) ? '6380' : '§IMPORT§';
      })
      .join(String(separator));
    return marked
      .replace(/\{\{resolve:secretsmanager:§REF:(\w+)§:SecretString:::\}\}/g, (_m, id: string) =>
        secretSample(template, id),
      )
      .replace(/\{\{resolve:secretsmanager:§IMPORT§:SecretString:::\}\}/g, () =>
        generatedSample({ PasswordLength: 64, ExcludePunctuation: true }),
      )
      .replace(/§IMPORT§|§REF:\w+§/g, SAMPLE_HOST);
  }
  return SAMPLE_HOST;
}

/**
 * The environment the container `name` of `template` will run with: its plain variables and its
 * secrets, deploy-time values replaced by samples of the same shape.
 */
export function deployedEnvironment(template: Template, name: string): Record<string, string> {
  const container = resourcesOf(template, 'AWS::ECS::TaskDefinition')
    .flatMap(([, r]) => asArray(props(r).ContainerDefinitions).map(asRecord))
    .find((c) => c.Name === name);
  if (container === undefined) throw new Error(`no container ${name}`);
  const environment: Record<string, string> = {};
  for (const variable of asArray(container.Environment).map(asRecord)) {
    const key = String(variable.Name);
    environment[key] =
      typeof variable.Value === 'string'
        ? variable.Value
        : key === 'FIELD_ENCRYPTION_KMS_KEY_ID'
          ? SAMPLE_KMS_KEY_ARN
          : sampleValue(template, variable.Value);
  }
  for (const secret of asArray(container.Secrets).map(asRecord)) {
    const id = referencedId(secret.ValueFrom);
    if (id === undefined) throw new Error(`${String(secret.Name)} is not a secret of this stack`);
    environment[String(secret.Name)] = secretSample(template, id);
  }
  return environment;
}
