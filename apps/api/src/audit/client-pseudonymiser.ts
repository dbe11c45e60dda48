import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * Turns a client IP address into a keyed pseudonym before it is written to a log line or the
 * audit trail.
 *
 * Why a keyed HMAC (GDPR): an IP address is personal data (CJEU C-582/14, Breyer). Storing it in
 * clear in an append-only trail would keep personal data for as long as the trail lives, with no
 * way to minimise it afterwards. A plain hash is no protection (the whole IPv4 space is hashed in
 * minutes); truncation (/24, /48) still narrows a person down to a small network while destroying
 * what security needs — recognising the same source across events (credential stuffing, one
 * address behind many accounts). An HMAC with a separately held key (`LOG_PSEUDONYM_KEY`) keeps
 * exact-match correlation, cannot be reversed without the key, and lets an investigator go forward
 * only ("did 203.0.113.7 do this?" — compute its pseudonym and search). That is pseudonymisation in
 * the sense of Art. 4(5) and one of the measures Art. 25 and 32 name; the data stays personal data
 * (with the key it can be linked), so access to the trail is restricted and the key is a secret.
 * Rotating or destroying the key makes older pseudonyms unlinkable to new ones.
 */
export class ClientPseudonymiser {
  private readonly key: Buffer;

  constructor(key: string) {
    this.key = Buffer.from(key, 'utf8');
  }

  /**
   * The pseudonym of an address: 128 bits of HMAC-SHA-256 as 22 base64url characters. IPv4-mapped
   * IPv6 (`::ffff:192.0.2.1`) and IPv4 give the same value. Anything that is not an IP address
   * gives null (it is never written out as it came).
   */
  pseudonymise(address: string | null | undefined): string | null {
    if (typeof address !== 'string') return null;
    let normalised = address.trim().toLowerCase();
    const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/.exec(normalised);
    if (mapped) normalised = mapped[1] as string;
    if (isIP(normalised) === 0) return null;
    return createHmac('sha256', this.key)
      .update(`client-address:${normalised}`)
      .digest()
      .subarray(0, 16)
      .toString('base64url');
  }
}
