/** Paths and file helpers shared by the docker/ test suites. */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Absolute path of a file under docker/. */
export function dockerPath(relative: string): string {
  return fileURLToPath(new URL(`../${relative}`, import.meta.url));
}

/** Absolute path of a file at the repository root. */
export function rootPath(relative: string): string {
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}

/** Reads a file under docker/ as UTF-8. */
export function readDocker(relative: string): string {
  return readFileSync(dockerPath(relative), 'utf8');
}

/** A negative fixture and the one rule that must reject it (the file-name prefix). */
export interface BadFixture {
  readonly file: string;
  readonly rule: string;
  readonly text: string;
}

/**
 * Lists the fixtures of a folder: `good.*` is returned separately; every other file is a bad
 * fixture named `<rule-id>.<case>.<ext>`.
 */
export function fixtures(folder: string): { good: string; bad: BadFixture[] } {
  const dir = `test/fixtures/${folder}`;
  const files = readdirSync(dockerPath(dir)).sort();
  const goodFile = files.find((f) => f.startsWith('good.'));
  if (!goodFile) throw new Error(`no good fixture in ${dir}`);
  const bad = files
    .filter((f) => f !== goodFile)
    .map((file) => ({ file, rule: file.split('.')[0] ?? '', text: readDocker(`${dir}/${file}`) }));
  return { good: readDocker(`${dir}/${goodFile}`), bad };
}
