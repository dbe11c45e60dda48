/**
 * Hardening rules for the local Compose stack, checked on the raw (uninterpolated) file so
 * that a literal secret or a wide-open port cannot hide behind a variable's default value.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2019, type ErrorObject } from 'ajv/dist/2019.js';
import { parse } from 'yaml';
import type { Finding } from './dockerfile.js';
import {
  findLiteralUrlPasswords,
  findTokenShapes,
  isPureReference,
  isSecretName,
} from './secrets.js';

/** A plain object from parsed YAML. */
type Dict = Record<string, unknown>;

function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asDict(value: unknown): Dict {
  return isDict(value) ? value : {};
}

function asStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Parses a Compose file. YAML merge keys (`<<: *anchor`) are resolved as Compose does.
 *
 * @param text - the Compose YAML
 * @returns the parsed document
 */
export function parseCompose(text: string): Dict {
  const doc: unknown = parse(text, { merge: true });
  if (!isDict(doc)) throw new Error('a Compose file must be a mapping');
  return doc;
}

/** The services of a Compose document, by name. */
export function services(doc: Dict): Map<string, Dict> {
  return new Map(Object.entries(asDict(doc.services)).map(([name, svc]) => [name, asDict(svc)]));
}

/**
 * Removes the draft-04 style `id` keywords the Compose schema still carries. Ajv 8 refuses
 * `id` (it only knows `$id`), and in this schema they are labels, never reference targets.
 */
function stripLegacyIds(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripLegacyIds);
  if (!isDict(node)) return node;
  const out: Dict = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'id' && typeof value === 'string') continue;
    out[key] = stripLegacyIds(value);
  }
  return out;
}

let validator: ((doc: unknown) => ErrorObject[]) | undefined;

/**
 * Validates a Compose document against the Compose Specification JSON schema committed in
 * `docker/test/schema/compose-spec.json` (see the README there for its source and licence).
 *
 * @param doc - the parsed Compose document
 * @returns schema errors as findings, empty when valid
 */
export function checkComposeSchema(doc: Dict): Finding[] {
  if (!validator) {
    const path = fileURLToPath(new URL('../test/schema/compose-spec.json', import.meta.url));
    const schema = stripLegacyIds(JSON.parse(readFileSync(path, 'utf8')));
    if (!isDict(schema)) throw new Error('compose schema is not an object');
    const ajv = new Ajv2019({ allErrors: true, strict: false });
    // `expose` entries: a port or range, optionally with a protocol (compose-go's own format).
    ajv.addFormat('expose', /^\d+(?:-\d+)?(?:\/(?:tcp|udp|sctp))?$/);
    const validate = ajv.compile(schema);
    validator = (d: unknown): ErrorObject[] => (validate(d) ? [] : (validate.errors ?? []));
  }
  return validator(doc).map((e) => ({
    rule: 'compose-schema',
    message: `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${
      e.keyword === 'additionalProperties' ? ` (${JSON.stringify(e.params)})` : ''
    }`,
  }));
}

/** Reads the host IP of a short-syntax port (`[HOST:]PUBLISHED:TARGET[/proto]`). */
function shortPortHostIp(spec: string): string | undefined {
  const withoutProto = spec.replace(/\/(tcp|udp|sctp)$/, '');
  if (withoutProto.startsWith('[')) {
    const end = withoutProto.indexOf(']');
    return withoutProto.slice(1, end);
  }
  const parts = withoutProto.split(':');
  return parts.length === 3 ? parts[0] : undefined;
}

/**
 * Rule `loopback-ports`: every published port is bound to 127.0.0.1, so nothing in the stack
 * is reachable from the network the developer's machine is on; host networking is refused.
 */
export function checkLoopbackPorts(doc: Dict): Finding[] {
  const findings: Finding[] = [];
  for (const [name, svc] of services(doc)) {
    if (svc.network_mode === 'host') {
      findings.push({
        rule: 'loopback-ports',
        message: `${name}: network_mode host exposes every port`,
      });
    }
    const ports: unknown[] = Array.isArray(svc.ports) ? svc.ports : [];
    for (const port of ports) {
      let hostIp: string | undefined;
      if (typeof port === 'string') hostIp = shortPortHostIp(port);
      else if (isDict(port)) hostIp = typeof port.host_ip === 'string' ? port.host_ip : undefined;
      if (hostIp !== '127.0.0.1') {
        findings.push({
          rule: 'loopback-ports',
          message: `${name}: port ${JSON.stringify(port)} is not bound to 127.0.0.1`,
        });
      }
    }
  }
  return findings;
}

/**
 * Tells whether a service is a one-shot job rather than a long-running server: it does not
 * restart, and something waits for it to complete or it only runs in an opt-in profile.
 */
export function isOneShot(doc: Dict, name: string): boolean {
  const svc = services(doc).get(name) ?? {};
  if (svc.restart !== 'no') return false;
  const awaited = [...services(doc).values()].some(
    (other) =>
      asDict(asDict(other.depends_on)[name]).condition === 'service_completed_successfully',
  );
  return awaited || asStrings(svc.profiles).length > 0;
}

/** Rule `healthchecks`: every long-running service has an enabled healthcheck with a test. */
export function checkHealthchecks(doc: Dict): Finding[] {
  const findings: Finding[] = [];
  for (const [name, svc] of services(doc)) {
    if (isOneShot(doc, name)) continue;
    const hc = asDict(svc.healthcheck);
    const test = hc.test;
    const hasTest =
      (typeof test === 'string' && test.trim() !== '') ||
      (Array.isArray(test) && test.length > 1 && test[0] !== 'NONE');
    if (hc.disable === true || !hasTest) {
      findings.push({
        rule: 'healthchecks',
        message: `${name}: long-running service without a healthcheck`,
      });
    }
  }
  return findings;
}

function isRootUser(user: unknown): boolean {
  if (typeof user !== 'string') return true;
  const [u = '', g = ''] = user.split(':');
  return u === '' || u === 'root' || u === '0' || g === 'root' || g === '0';
}

/**
 * Rule `hardened-app-containers`: every service built from this repository (api, web and the
 * jobs that reuse their images) runs with a read-only root filesystem and a tmpfs /tmp, drops
 * every capability, forbids privilege escalation, runs as a non-root user and is never
 * privileged.
 */
export function checkHardenedAppContainers(doc: Dict): Finding[] {
  const findings: Finding[] = [];
  for (const [name, svc] of services(doc)) {
    if (svc.privileged === true)
      findings.push({ rule: 'hardened-app-containers', message: `${name}: privileged` });
    if (svc.build === undefined) continue;
    const fail = (message: string): void => {
      findings.push({ rule: 'hardened-app-containers', message: `${name}: ${message}` });
    };
    if (svc.read_only !== true) fail('read_only is not true');
    if (!asStrings(svc.tmpfs).some((t) => t === '/tmp' || t.startsWith('/tmp:')))
      fail('no tmpfs on /tmp');
    if (!asStrings(svc.cap_drop).includes('ALL')) fail('cap_drop does not include ALL');
    if (asStrings(svc.cap_add).length > 0) fail('cap_add is not empty');
    if (!asStrings(svc.security_opt).some((o) => /^no-new-privileges(:true)?$/.test(o))) {
      fail('security_opt lacks no-new-privileges:true');
    }
    if (isRootUser(svc.user)) fail('user is missing or root');
  }
  return findings;
}

/** Collects every string in a YAML value, with its path, for the secret scan. */
function strings(node: unknown, path: string, out: { path: string; value: string }[]): void {
  if (typeof node === 'string') out.push({ path, value: node });
  else if (Array.isArray(node))
    node.forEach((v, i) => {
      strings(v, `${path}[${String(i)}]`, out);
    });
  else if (isDict(node)) for (const [k, v] of Object.entries(node)) strings(v, `${path}.${k}`, out);
}

/** Reads `environment` in either syntax (mapping or `KEY=value` list). */
function environmentEntries(svc: Dict): { key: string; value: string | undefined }[] {
  const env = svc.environment;
  if (Array.isArray(env)) {
    return env
      .filter((e): e is string => typeof e === 'string')
      .map((e) => {
        const eq = e.indexOf('=');
        return eq < 0
          ? { key: e, value: undefined }
          : { key: e.slice(0, eq), value: e.slice(eq + 1) };
      });
  }
  return Object.entries(asDict(env)).map(([key, v]) => ({
    key,
    value:
      v === null || v === undefined ? undefined : typeof v === 'string' ? v : JSON.stringify(v),
  }));
}

/**
 * Rule `no-literal-secrets`: secrets reach the stack only through variables (from the
 * uncommitted `.env`) or Compose secrets. A secret-named environment entry must be a pure
 * variable reference with no default; URLs may not embed a literal password; a
 * `requirepass`/`--password` argument may not carry a literal; no credential-shaped string
 * appears anywhere; Compose secrets may not be inline `content`.
 */
export function checkNoLiteralSecrets(doc: Dict): Finding[] {
  const findings: Finding[] = [];
  const fail = (message: string): void => {
    findings.push({ rule: 'no-literal-secrets', message });
  };
  for (const [name, svc] of services(doc)) {
    for (const { key, value } of environmentEntries(svc)) {
      if (value !== undefined && isSecretName(key) && !isPureReference(value)) {
        fail(`${name}: environment ${key} is not a plain \${VARIABLE} reference`);
      }
    }
  }
  const all: { path: string; value: string }[] = [];
  strings(doc, '', all);
  for (const { path, value } of all) {
    for (const url of findLiteralUrlPasswords(value))
      fail(`${path}: URL with a literal password (${url})`);
    for (const shape of findTokenShapes(value)) fail(`${path}: ${shape}`);
    const m = /(?:\brequirepass|--password|\bredis-cli\b[^|;&]*\s-a)\s+(\S+)/.exec(value);
    // `$VAR` is expanded at run time and `%s` is a printf placeholder fed from a variable.
    if (m?.[1] && !/^["']?(\$|%s)/.test(m[1]))
      fail(`${path}: password given as a literal argument`);
  }
  for (const [key, def] of [
    ...Object.entries(asDict(doc.secrets)),
    ...Object.entries(asDict(doc.configs)),
  ]) {
    if (isSecretName(key) && typeof asDict(def).content === 'string')
      fail(`secret ${key} is inlined with content:`);
  }
  return findings;
}

/** Every Compose rule, by id (schema validation included). */
export const COMPOSE_RULES: Readonly<Record<string, (doc: Dict) => Finding[]>> = {
  'compose-schema': checkComposeSchema,
  'loopback-ports': checkLoopbackPorts,
  healthchecks: checkHealthchecks,
  'hardened-app-containers': checkHardenedAppContainers,
  'no-literal-secrets': checkNoLiteralSecrets,
};

/**
 * Runs every Compose rule on a file's text.
 *
 * @param text - Compose YAML
 * @returns all findings, empty when the file passes
 */
export function checkCompose(text: string): Finding[] {
  const doc = parseCompose(text);
  return Object.values(COMPOSE_RULES).flatMap((rule) => rule(doc));
}
