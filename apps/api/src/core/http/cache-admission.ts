/** Keys remembered per generation; two generations are kept (between 64 Ki and 128 Ki keys). */
export const ADMISSION_GENERATION_SIZE = 65_536;

/** FNV-1a over the UTF-16 code units: a cheap 32-bit fingerprint of a cache key. */
function fingerprint(key: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    hash ^= key.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Cache admission on the second miss (a "doorkeeper"): a response is worth storing once its key
 * has been asked for before. Most distinct listing URLs (deep pages, rare filter combinations,
 * crawlers) are asked for once; storing them cost ~18 % of the API's CPU per miss (serialising to
 * Redis, filling and evicting the in-process tier) and pushed the popular entries out of the
 * in-process tier. A key asked for again within the window is stored on its second miss and
 * served from the cache from the third request on.
 *
 * Keys are remembered as 32-bit fingerprints in two generations of {@link ADMISSION_GENERATION_SIZE}:
 * memory stays bounded (a few MiB) whatever URLs clients invent, and a collision only admits a
 * key one miss early. Per process: a key missed once on each of two instances is admitted on its
 * next miss on either.
 */
export class CacheAdmission {
  private current = new Set<number>();
  private previous = new Set<number>();

  /** Records a miss of `key`; true when it had been missed before (store the response now). */
  admitsOnMiss(key: string): boolean {
    const print = fingerprint(key);
    if (this.current.has(print)) return true;
    if (this.previous.has(print)) {
      this.current.add(print);
      return true;
    }
    if (this.current.size >= ADMISSION_GENERATION_SIZE) {
      this.previous = this.current;
      this.current = new Set();
    }
    this.current.add(print);
    return false;
  }
}
