/**
 * A small, strict Dockerfile reader and the hardening rules the project's images must follow.
 *
 * The reader understands what our Dockerfiles use (parser directives, line continuations,
 * comments, exec and shell forms, `FROM … AS`, flags such as `--from=`). It refuses heredocs
 * rather than guess at them: a checker that silently misreads a file would pass it.
 */
import { findLiteralUrlPasswords, findTokenShapes, isSecretName } from './secrets.js';

/** One Dockerfile instruction after continuation lines have been joined. */
export interface Instruction {
  /** Upper-case keyword: FROM, RUN, COPY… */
  readonly keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  readonly args: string;
  /** 1-based line where the instruction starts. */
  readonly line: number;
}

/** A build stage: its FROM line and the instructions that follow it. */
export interface Stage {
  /** Index of the stage, 0-based. */
  readonly index: number;
  /** Image reference (or earlier stage name) the stage starts from. */
  readonly base: string;
  /** Stage name given with `AS`, lower-cased, if any. */
  readonly name: string | undefined;
  /** The FROM instruction itself. */
  readonly from: Instruction;
  /** Instructions after FROM, up to the next FROM. */
  readonly instructions: readonly Instruction[];
}

/** A parsed Dockerfile. */
export interface Dockerfile {
  /** Parser directives (`# syntax=…`, `# escape=…`), keys lower-cased. */
  readonly directives: ReadonlyMap<string, string>;
  /** Instructions before the first FROM (only ARG is legal there). */
  readonly preamble: readonly Instruction[];
  /** Build stages in order; the last one is the image that ships. */
  readonly stages: readonly Stage[];
}

/** A rule violation. */
export interface Finding {
  /** Stable rule id, e.g. `pinned-base-image`. */
  readonly rule: string;
  /** 1-based line, when the finding is tied to one. */
  readonly line?: number;
  /** What is wrong and what to do instead. */
  readonly message: string;
}

/**
 * Parses Dockerfile text into directives, preamble and stages.
 *
 * @param text - the Dockerfile content
 * @returns the parsed Dockerfile
 * @throws Error on heredocs, instructions before FROM other than ARG, or a file without FROM
 */
export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split(/\r?\n/);
  const directives = new Map<string, string>();
  let i = 0;
  // Parser directives: only at the very top, before any blank line, comment or instruction.
  for (; i < lines.length; i++) {
    const m = /^#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(\S.*?)\s*$/.exec(lines[i] ?? '');
    if (!m?.[1] || m[2] === undefined) break;
    const key = m[1].toLowerCase();
    if (directives.has(key)) break;
    directives.set(key, m[2]);
  }
  const escape = directives.get('escape') ?? '\\';
  if (escape !== '\\' && escape !== '`') throw new Error(`unsupported escape directive: ${escape}`);

  const instructions: Instruction[] = [];
  let buffer = '';
  let startLine = 0;
  for (; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const trimmed = raw.trim();
    if (buffer === '') {
      if (trimmed === '' || trimmed.startsWith('#')) continue;
      startLine = i + 1;
    } else if (trimmed.startsWith('#') || trimmed === '') {
      // Comments and blank lines inside a continuation are dropped by BuildKit.
      continue;
    }
    const continues = trimmed.endsWith(escape);
    const body = continues ? trimmed.slice(0, -1).trimEnd() : trimmed;
    buffer = buffer === '' ? body : `${buffer} ${body}`;
    if (!continues) {
      instructions.push(toInstruction(buffer, startLine));
      buffer = '';
    }
  }
  if (buffer !== '') instructions.push(toInstruction(buffer, startLine));

  const preamble: Instruction[] = [];
  const stages: Stage[] = [];
  let current: { from: Instruction; body: Instruction[] } | undefined;
  const flush = (): void => {
    if (!current) return;
    const { image, name } = parseFrom(current.from.args);
    stages.push({
      index: stages.length,
      base: image,
      name,
      from: current.from,
      instructions: current.body,
    });
  };
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      flush();
      current = { from: ins, body: [] };
    } else if (current) {
      current.body.push(ins);
    } else if (ins.keyword === 'ARG') {
      preamble.push(ins);
    } else {
      throw new Error(`line ${ins.line}: ${ins.keyword} before the first FROM`);
    }
  }
  flush();
  if (stages.length === 0) throw new Error('no FROM instruction');
  return { directives, preamble, stages };
}

function toInstruction(text: string, line: number): Instruction {
  const m = /^(\S+)\s*(.*)$/s.exec(text);
  const keyword = (m?.[1] ?? '').toUpperCase();
  const args = (m?.[2] ?? '').trim();
  if (
    /<<-?\s*["']?[A-Za-z_][A-Za-z0-9_]*["']?/.test(args) &&
    (keyword === 'RUN' || keyword === 'COPY')
  ) {
    throw new Error(`line ${line}: heredocs are not supported by this checker; use a script file`);
  }
  return { keyword, args, line };
}

/** Splits `FROM [--platform=x] image [AS name]`. */
function parseFrom(args: string): { image: string; name: string | undefined } {
  const words = args.split(/\s+/).filter((w) => !w.startsWith('--'));
  const image = words[0] ?? '';
  const asIndex = words.findIndex((w) => w.toUpperCase() === 'AS');
  const name = asIndex >= 0 ? words[asIndex + 1]?.toLowerCase() : undefined;
  return { image, name };
}

/**
 * Splits instruction arguments into words the way the shell form does for ENV/ARG/USER:
 * whitespace separates, quotes group, a backslash escapes the next character.
 *
 * @param args - the instruction arguments
 * @returns the words, with quotes removed
 */
export function splitWords(args: string): string[] {
  const words: string[] = [];
  let word = '';
  let quote: '"' | "'" | undefined;
  let inWord = false;
  for (let i = 0; i < args.length; i++) {
    const c = args.charAt(i);
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < args.length) word += args.charAt(++i);
      else word += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      inWord = true;
    } else if (c === '\\' && i + 1 < args.length) {
      word += args.charAt(++i);
      inWord = true;
    } else if (/\s/.test(c)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
    } else {
      word += c;
      inWord = true;
    }
  }
  if (quote) throw new Error(`unterminated quote in: ${args}`);
  if (inWord) words.push(word);
  return words;
}

/**
 * Reads the key/value pairs of an ENV instruction (`K=V K2="v 2"` or the legacy `K V`).
 *
 * @param args - the ENV arguments
 * @returns the pairs in order
 */
export function parseEnv(args: string): { key: string; value: string }[] {
  const words = splitWords(args);
  const first = words[0] ?? '';
  if (!first.includes('=')) {
    // Legacy form: ENV KEY value with spaces
    const rest = args.trim().slice(first.length).trim();
    return [{ key: first, value: splitWords(rest).join(' ') }];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? { key: w, value: '' } : { key: w.slice(0, eq), value: w.slice(eq + 1) };
  });
}

/**
 * Reads an ARG instruction (`ARG NAME` or `ARG NAME=default`, several allowed).
 *
 * @param args - the ARG arguments
 * @returns the declared names and their defaults (undefined when none)
 */
export function parseArg(args: string): { key: string; value: string | undefined }[] {
  return splitWords(args).map((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? { key: w, value: undefined } : { key: w.slice(0, eq), value: w.slice(eq + 1) };
  });
}

/** Splits the flags (`--from=x`) from the operands of COPY/ADD, shell or exec form. */
export function parseCopy(args: string): {
  flags: Map<string, string>;
  sources: string[];
  dest: string;
} {
  const flags = new Map<string, string>();
  let rest = args.trim();
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S*))?\s+/.exec(rest);
    if (!m?.[1]) break;
    flags.set(m[1], m[2] ?? 'true');
    rest = rest.slice(m[0].length);
  }
  let operands: string[];
  if (rest.startsWith('[')) {
    const parsed: unknown = JSON.parse(rest);
    if (!Array.isArray(parsed) || !parsed.every((x): x is string => typeof x === 'string')) {
      throw new Error(`invalid exec-form operands: ${rest}`);
    }
    operands = parsed;
  } else {
    operands = splitWords(rest);
  }
  const dest = operands[operands.length - 1] ?? '';
  return { flags, sources: operands.slice(0, -1), dest };
}

const DIGEST_PINNED =
  /^[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9._-]+)*(?::[\w][\w.-]{0,127})?@sha256:[0-9a-f]{64}$/;

/**
 * Rule `pinned-base-image`: every FROM names an image by `@sha256:` digest (or an earlier
 * stage, or `scratch`), and a `# syntax=` frontend, which is an image too, is pinned as well.
 * Variables in FROM are refused: the checker cannot prove what they resolve to.
 */
export function checkPinnedBaseImages(df: Dockerfile): Finding[] {
  const findings: Finding[] = [];
  const syntax = df.directives.get('syntax');
  if (syntax !== undefined && !DIGEST_PINNED.test(syntax)) {
    findings.push({
      rule: 'pinned-base-image',
      line: 1,
      message: `# syntax=${syntax} pulls a frontend image that is not pinned by digest`,
    });
  }
  const earlier = new Set<string>();
  for (const stage of df.stages) {
    const base = stage.base;
    if (base.includes('$')) {
      findings.push({
        rule: 'pinned-base-image',
        line: stage.from.line,
        message: `FROM ${base} uses a variable; write the digest-pinned reference literally`,
      });
    } else if (
      base !== 'scratch' &&
      !earlier.has(base.toLowerCase()) &&
      !DIGEST_PINNED.test(base)
    ) {
      findings.push({
        rule: 'pinned-base-image',
        line: stage.from.line,
        message: `FROM ${base} is not pinned by @sha256 digest`,
      });
    }
    if (stage.name) earlier.add(stage.name);
  }
  return findings;
}

function finalStage(df: Dockerfile): Stage {
  const last = df.stages[df.stages.length - 1];
  if (!last) throw new Error('no stage');
  return last;
}

/**
 * Rule `non-root-user`: the shipped (last) stage switches to a non-root USER, and the last
 * USER it sets is not root. The base image's default user is not trusted (node images run as
 * root).
 */
export function checkNonRootUser(df: Dockerfile): Finding[] {
  const stage = finalStage(df);
  const users = stage.instructions.filter((i) => i.keyword === 'USER');
  const last = users[users.length - 1];
  if (!last) {
    return [
      {
        rule: 'non-root-user',
        line: stage.from.line,
        message: 'final stage has no USER instruction',
      },
    ];
  }
  const [user = '', group = ''] = (splitWords(last.args)[0] ?? '').split(':');
  if (user === '' || user === 'root' || user === '0' || group === 'root' || group === '0') {
    return [{ rule: 'non-root-user', line: last.line, message: `final USER ${last.args} is root` }];
  }
  return [];
}

/** Rule `healthcheck`: the shipped stage declares a HEALTHCHECK that is not NONE. */
export function checkHealthcheck(df: Dockerfile): Finding[] {
  const stage = finalStage(df);
  const hc = stage.instructions.filter((i) => i.keyword === 'HEALTHCHECK');
  const last = hc[hc.length - 1];
  if (!last || !/(^|\s)CMD\s+\S/i.test(last.args)) {
    return [
      {
        rule: 'healthcheck',
        line: last?.line ?? stage.from.line,
        message: 'final stage has no HEALTHCHECK CMD',
      },
    ];
  }
  return [];
}

/**
 * Rule `no-remote-add`: ADD never fetches from the network (URLs, git). Downloads must be
 * explicit and verified (checksum), or better, come from a pinned image.
 */
export function checkNoRemoteAdd(df: Dockerfile): Finding[] {
  const findings: Finding[] = [];
  for (const stage of df.stages) {
    for (const ins of stage.instructions) {
      if (ins.keyword !== 'ADD') continue;
      const { sources } = parseCopy(ins.args);
      for (const src of sources) {
        if (
          /^(https?|ftp|git|ssh):\/\//i.test(src) ||
          /^git@/i.test(src) ||
          /\.git(#.*)?$/i.test(src)
        ) {
          findings.push({
            rule: 'no-remote-add',
            line: ins.line,
            message: `ADD fetches remote content: ${src}`,
          });
        }
      }
    }
  }
  return findings;
}

/**
 * Rule `no-secrets`: no ENV with a secret-like name and a value, no ARG with a secret-like name
 * at all (build arguments are recorded in the image history), no file that usually holds
 * secrets copied in, and no credential-shaped string anywhere in the file.
 */
export function checkNoSecrets(df: Dockerfile): Finding[] {
  const findings: Finding[] = [];
  const all = [...df.preamble, ...df.stages.flatMap((s) => [s.from, ...s.instructions])];
  for (const ins of all) {
    if (ins.keyword === 'ENV') {
      for (const { key, value } of parseEnv(ins.args)) {
        if (isSecretName(key) && value !== '') {
          findings.push({
            rule: 'no-secrets',
            line: ins.line,
            message: `ENV ${key} sets a secret in the image`,
          });
        }
      }
    }
    if (ins.keyword === 'ARG') {
      for (const { key } of parseArg(ins.args)) {
        if (isSecretName(key)) {
          findings.push({
            rule: 'no-secrets',
            line: ins.line,
            message: `ARG ${key} passes a secret as a build argument (kept in the image history); use RUN --mount=type=secret`,
          });
        }
      }
    }
    if (ins.keyword === 'COPY' || ins.keyword === 'ADD') {
      const { sources, flags } = parseCopy(ins.args);
      if (!flags.has('from')) {
        for (const src of sources) {
          const base = src.split('/').pop() ?? src;
          if (/^\.env(\..*)?$/.test(base) && base !== '.env.example') {
            findings.push({
              rule: 'no-secrets',
              line: ins.line,
              message: `${ins.keyword} ${src} copies an env file`,
            });
          }
          if (/^(id_rsa|id_ed25519|id_ecdsa)$|\.(pem|key|p12|pfx)$/i.test(base)) {
            findings.push({
              rule: 'no-secrets',
              line: ins.line,
              message: `${ins.keyword} ${src} copies a key file`,
            });
          }
        }
      }
    }
    const text = `${ins.keyword} ${ins.args}`;
    for (const shape of findTokenShapes(text)) {
      findings.push({
        rule: 'no-secrets',
        line: ins.line,
        message: `${shape} written in the Dockerfile`,
      });
    }
    for (const url of findLiteralUrlPasswords(text)) {
      findings.push({
        rule: 'no-secrets',
        line: ins.line,
        message: `URL with a literal password: ${url}`,
      });
    }
  }
  return findings;
}

/**
 * Rule `production-dependencies`: the shipped stage installs dependencies with
 * `npm ci --omit=dev`, never `npm install`, and does not copy a `node_modules` built elsewhere
 * (which would carry dev dependencies) or the whole build context.
 */
export function checkProductionDependencies(df: Dockerfile): Finding[] {
  const stage = finalStage(df);
  const findings: Finding[] = [];
  const runs = stage.instructions.filter((i) => i.keyword === 'RUN');
  const ci = runs.find((r) => /\bnpm\s+ci\b[^&;|]*--omit[=\s]dev\b/.test(r.args));
  if (!ci) {
    findings.push({
      rule: 'production-dependencies',
      line: stage.from.line,
      message: 'final stage does not run `npm ci --omit=dev`',
    });
  }
  for (const r of runs) {
    if (/\bnpm\s+(install|i|add)\b/.test(r.args)) {
      findings.push({
        rule: 'production-dependencies',
        line: r.line,
        message: 'npm install in the final stage; use npm ci --omit=dev',
      });
    }
  }
  for (const ins of stage.instructions) {
    if (ins.keyword !== 'COPY' && ins.keyword !== 'ADD') continue;
    const { sources, flags } = parseCopy(ins.args);
    if (flags.has('from') && sources.some((s) => /(^|\/)node_modules(\/|$)/.test(s))) {
      findings.push({
        rule: 'production-dependencies',
        line: ins.line,
        message:
          'final stage copies node_modules from another stage; install production dependencies here',
      });
    }
    if (!flags.has('from') && sources.some((s) => s === '.' || s === './' || s === '*')) {
      findings.push({
        rule: 'production-dependencies',
        line: ins.line,
        message: 'final stage copies the whole build context; copy only the built output',
      });
    }
  }
  return findings;
}

/** Rule `node-env-production`: the shipped stage sets NODE_ENV=production. */
export function checkNodeEnvProduction(df: Dockerfile): Finding[] {
  const stage = finalStage(df);
  let value: string | undefined;
  for (const ins of stage.instructions) {
    if (ins.keyword !== 'ENV') continue;
    for (const pair of parseEnv(ins.args)) if (pair.key === 'NODE_ENV') value = pair.value;
  }
  return value === 'production'
    ? []
    : [
        {
          rule: 'node-env-production',
          line: stage.from.line,
          message: 'final stage does not set NODE_ENV=production',
        },
      ];
}

/** Every Dockerfile rule, by id. */
export const DOCKERFILE_RULES: Readonly<Record<string, (df: Dockerfile) => Finding[]>> = {
  'pinned-base-image': checkPinnedBaseImages,
  'non-root-user': checkNonRootUser,
  healthcheck: checkHealthcheck,
  'no-remote-add': checkNoRemoteAdd,
  'no-secrets': checkNoSecrets,
  'production-dependencies': checkProductionDependencies,
  'node-env-production': checkNodeEnvProduction,
};

/**
 * Runs every Dockerfile rule on a file's text.
 *
 * @param text - Dockerfile content
 * @returns all findings, empty when the file passes
 */
export function checkDockerfile(text: string): Finding[] {
  const df = parseDockerfile(text);
  return Object.values(DOCKERFILE_RULES).flatMap((rule) => rule(df));
}
