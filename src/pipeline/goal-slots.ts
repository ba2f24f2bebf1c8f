/**
 * `max_concurrent_goals` (Part 3): at most `limit` goals run at once; the rest wait in a FIFO
 * queue and start in arrival order as slots free up.
 */
import { ErrorCode, LoomError } from "../errors.js";

/** Frees the slot taken by {@link GoalSlots.acquire}. Calling it twice is harmless. */
export type ReleaseSlot = () => void;

/** A FIFO counting semaphore for goals. */
export class GoalSlots {
  readonly limit: number;
  #active = 0;
  readonly #queue: Array<(release: ReleaseSlot) => void> = [];

  /** @param limit how many goals may run at once (a positive integer). */
  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new LoomError(
        ErrorCode.ConfigInvalid,
        `max_concurrent_goals must be a positive integer (got ${limit})`,
      );
    }
    this.limit = limit;
  }

  /** Goals holding a slot. */
  get active(): number {
    return this.#active;
  }

  /** Goals waiting for a slot. */
  get waiting(): number {
    return this.#queue.length;
  }

  /**
   * Waits for a free slot. Aborting `signal` while waiting leaves the queue and rejects with the
   * signal's reason.
   */
  acquire(signal?: AbortSignal): Promise<ReleaseSlot> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#active < this.limit && this.#queue.length === 0) {
      this.#active++;
      return Promise.resolve(this.#releaser());
    }
    return new Promise<ReleaseSlot>((resolve, reject) => {
      const onAbort = (): void => {
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(signal?.reason);
      };
      const waiter = (release: ReleaseSlot): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve(release);
      };
      this.#queue.push(waiter);
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  #releaser(): ReleaseSlot {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) next(this.#releaser());
      else this.#active--;
    };
  }
}
