/** Raised by {@link BoundedSemaphore.run} when every slot is busy and the wait queue is full. */
export class SemaphoreFullError extends Error {
  constructor() {
    super('semaphore queue is full');
    this.name = 'SemaphoreFullError';
  }
}

/**
 * Runs at most `maxConcurrent` tasks at once; up to `maxQueued` more wait in FIFO order, and any
 * further caller is refused at once with {@link SemaphoreFullError} instead of piling up.
 *
 * It exists so that CPU- and memory-heavy work (argon2 password hashing) cannot take every core
 * and every libuv thread during a login storm: the excess is shed quickly and the rest of the API
 * keeps serving.
 */
export class BoundedSemaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(
    readonly maxConcurrent: number,
    readonly maxQueued: number,
  ) {
    if (!Number.isInteger(maxConcurrent) || maxConcurrent < 1) {
      throw new RangeError('maxConcurrent must be a positive integer');
    }
    if (!Number.isInteger(maxQueued) || maxQueued < 0) {
      throw new RangeError('maxQueued must be a non-negative integer');
    }
  }

  /** Tasks running now. */
  get running(): number {
    return this.active;
  }

  /** Tasks waiting for a slot. */
  get queued(): number {
    return this.waiting.length;
  }

  /** Runs `task` when a slot is free; rejects with {@link SemaphoreFullError} if the queue is full. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (this.active < this.maxConcurrent) {
      this.active += 1;
      return Promise.resolve();
    }
    if (this.waiting.length >= this.maxQueued) return Promise.reject(new SemaphoreFullError());
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    // The slot passes straight to the next waiter, so `active` is unchanged.
    if (next) next();
    else this.active -= 1;
  }
}
