// Rebuilds common-passwords.json; see README.md in this folder for the source and its provenance.
// Usage: node build-common-passwords.mjs <10-million-password-list-top-1000000.txt> <output.json>
import { readFileSync, writeFileSync } from 'node:fs';

const [source, target] = process.argv.slice(2);
if (!source || !target) {
  console.error('usage: node build-common-passwords.mjs <top-1M list> <output.json>');
  process.exit(2);
}
const MIN_POLICY_LENGTH = 12; // the customer minimum (PASSWORD_MIN_LENGTH.customer)
const TOP_ANY_LENGTH = 10_000; // the most common ones are kept whatever their length

const ranked = readFileSync(source, 'utf8').split(/\r?\n/).filter(Boolean);
const seen = new Set();
const out = [];
ranked.forEach((password, rank) => {
  if (!/^[\x21-\x7e]+$/.test(password)) return; // printable ASCII only (drops mis-encoded lines)
  if (rank >= TOP_ANY_LENGTH && [...password].length < MIN_POLICY_LENGTH) return;
  const key = password.toLowerCase();
  if (seen.has(key)) return;
  seen.add(key);
  out.push(key);
});
writeFileSync(target, `${JSON.stringify(out, null, 2)}\n`);
console.log(
  `${out.length} entries, ${out.filter((p) => p.length >= MIN_POLICY_LENGTH).length} of 12+`,
);
