/**
 * A bound on concurrent `resources/read` calls: each read holds a file's bytes and its text or
 * base64 copy in memory, so twenty reads of a 30 MB file at once took the gateway from 118 MB to
 * 1.09 GB of RSS (issue: workspace resources, item D). Reads past the bound wait their turn.
 */

/** Concurrent workspace reads served at once. @default 4 */
export const DEFAULT_MAX_CONCURRENT_READS = 4;

/**
 * Runs at most `limit` tasks at once, the rest in arrival order.
 *
 * @example
 * const limiter = new ReadLimiter(4);
 * const bytes = await limiter.run(() => manager.readBytes("big.pdf"));
 */
export class ReadLimiter {
  readonly limit: number;
  #active = 0;
  readonly #waiting: (() => void)[] = [];

  constructor(limit: number = DEFAULT_MAX_CONCURRENT_READS) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`max concurrent reads must be a positive integer (got ${limit})`);
    }
    this.limit = limit;
  }

  /** Tasks running now. */
  get active(): number {
    return this.#active;
  }

  /** Runs `task` when a place is free. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#active >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#active++;
    try {
      return await task();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#active--;
    }
  }
}
