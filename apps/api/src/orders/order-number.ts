import { randomInt } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A new order reference (`SO-` and 10 Crockford base32 symbols from `randomInt`, 50 bits): short
 * enough to read on the phone, random so that it reveals neither order volume nor a neighbour's
 * number. It is a reference, never an access token: every lookup also checks the owner.
 */
export function newOrderNumber(): string {
  let suffix = '';
  for (let i = 0; i < 10; i += 1) suffix += CROCKFORD.charAt(randomInt(CROCKFORD.length));
  return `SO-${suffix}`;
}
