/**
 * Graceful shutdown (issue 8): count tool calls in flight so a shutdown can wait for them
 * (bounded), and run one shutdown sequence on SIGINT/SIGTERM — a second signal exits at once.
 */

/** How long a shutdown waits for calls in flight. @default 10 s */
export const DEFAULT_DRAIN_MS = 10_000;

/**
 * Counts work in flight.
 *
 * @example
 * const done = inFlight.begin();
 * try { await run(); } finally { done(); }
 * await inFlight.drained(10_000); // on shutdown
 */
export class InFlight {
  #count = 0;
  #waiters = new Set<() => void>();

  /** Work running now. */
  get size(): number {
    return this.#count;
  }

  /** Marks one piece of work started; call the returned function (once or more) when it ends. */
  begin(): () => void {
    this.#count += 1;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#count -= 1;
      if (this.#count === 0) for (const wake of [...this.#waiters]) wake();
    };
  }

  /** Resolves true once nothing is in flight, or false after `timeoutMs` with work still running. */
  drained(timeoutMs: number): Promise<boolean> {
    if (this.#count === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.#waiters.delete(wake);
        resolve(true);
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(wake);
        resolve(false);
      }, timeoutMs);
      this.#waiters.add(wake);
    });
  }
}

/** Options of {@link onShutdownSignals}. */
export interface ShutdownSignalOptions {
  /** @default ["SIGINT", "SIGTERM"] */
  signals?: readonly NodeJS.Signals[];
  /** Ends the process. @default process.exit */
  exit?: (code: number) => void;
  /** Told about an error thrown by the shutdown sequence. @default ignore */
  onError?: (error: unknown) => void;
}

/**
 * Runs `shutdown` once on the first SIGINT/SIGTERM, then exits 0 (1 if it threw); a second signal
 * exits 130 at once. Returns a function that removes the handlers.
 *
 * @example
 * const off = onShutdownSignals(async () => { await http.close(); await server.close(); });
 */
export function onShutdownSignals(
  shutdown: (signal: NodeJS.Signals) => Promise<void>,
  options: ShutdownSignalOptions = {},
): () => void {
  const signals = options.signals ?? ["SIGINT", "SIGTERM"];
  const exit = options.exit ?? ((code: number) => process.exit(code));
  let started = false;
  const handler = (signal: NodeJS.Signals) => {
    if (started) {
      exit(130);
      return;
    }
    started = true;
    shutdown(signal).then(
      () => exit(0),
      (error: unknown) => {
        options.onError?.(error);
        exit(1);
      },
    );
  };
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
