import commonPasswords from './data/common-passwords.json';

/**
 * The offline list of common and breached passwords new passwords are checked against
 * (ASVS 6.2.4): from the 1,000,000 most frequent passwords of the xato.net 10-million-password
 * breach corpus, the 10,000 most frequent whatever their length, plus every one of 12 or more
 * characters (~44,000) — the passwords that *match our length policy*, as ASVS 6.2.4 asks, not
 * just ones the length rule refuses anyway. Source, licence and how to rebuild: `data/README.md`.
 *
 * Lookups are case-insensitive and cost one hash-set probe.
 */
export class PasswordBlocklist {
  private readonly entries: ReadonlySet<string>;

  constructor(lists: Iterable<readonly string[]>) {
    const entries = new Set<string>();
    for (const list of lists) for (const entry of list) entries.add(entry.toLowerCase());
    this.entries = entries;
  }

  /** Distinct entries (lower-cased). */
  get size(): number {
    return this.entries.size;
  }

  /** True when the password, ignoring case, is on the list. */
  has(password: string): boolean {
    return this.entries.has(password.toLowerCase());
  }
}

let shared: PasswordBlocklist | undefined;

/** The process-wide blocklist, built once on first use (~54,000 entries, a few MB). */
export function defaultPasswordBlocklist(): PasswordBlocklist {
  shared ??= new PasswordBlocklist([commonPasswords]);
  return shared;
}
