/**
 * Whether and why one task was stopped — by its caller, its timeout or its dispatcher closing —
 * made to cost a fast task almost nothing. On Node 20, making an AbortSignal costs about 7 µs,
 * adding and removing a listener on a fresh one (the MCP SDK's signal of each request) about
 * 15 µs, and a timer whose duration no other timer has about 15 µs: more than the rest of what a
 * fast processor task costs the gateway (issue #18). So:
 * - a real signal is made only for code that asks for one (`signal`), such as a backend that reads
 *   `options.signal` or an LLM call;
 * - the timeout and the followed signals are watched from the task's next turn of the event loop:
 *   a task that ends within its first turn never arms a timer or listens, and a signal aborted
 *   before then is seen at that turn (at once if it already was when followed);
 * - a signal gets one listener however many tasks follow it, which is never removed.
 */
import { abortError } from "../llm/retry.js";

/**
 * The tasks following each signal, behind one listener per signal: a goal's or a dispatcher's
 * signal is followed by every task it runs, and EventTarget removes a listener in O(listeners).
 * The listener is never removed; it goes with the signal.
 */
const followers = new WeakMap<AbortSignal, Set<TaskAbort>>();

function listen(signal: AbortSignal, task: TaskAbort): void {
  let tasks = followers.get(signal);
  if (!tasks) {
    const following = new Set<TaskAbort>();
    tasks = following;
    followers.set(signal, following);
    signal.addEventListener(
      "abort",
      () => {
        for (const follower of following) follower.abort(signal.reason);
      },
      { once: true },
    );
  }
  tasks.add(task);
}

export class TaskAbort {
  readonly #deadline: number;
  readonly #timeoutMs: number;
  #timer: NodeJS.Timeout | undefined;
  #timedOut = false;
  #aborted = false;
  #reason: unknown;
  #controller: AbortController | undefined;
  #listeners: (() => void)[] = [];
  #followed: AbortSignal[] = [];
  #watch: NodeJS.Immediate | undefined;

  /** @param timeoutMs stops the task with a `TimeoutError` this long after now. @default no timeout */
  constructor(timeoutMs = Number.POSITIVE_INFINITY) {
    this.#timeoutMs = timeoutMs;
    this.#deadline = performance.now() + timeoutMs;
    if (Number.isFinite(timeoutMs)) this.#watchSoon();
  }

  /** Whether the timeout stopped it. */
  get timedOut(): boolean {
    return this.#timedOut;
  }

  get aborted(): boolean {
    return this.#aborted;
  }

  /** Why it was stopped (an abort signal's reason). */
  get reason(): unknown {
    return this.#reason;
  }

  /** A signal that aborts with this task, made on first use. */
  get signal(): AbortSignal {
    if (!this.#controller) {
      this.#controller = new AbortController();
      if (this.#aborted) this.#controller.abort(this.#reason);
    }
    return this.#controller.signal;
  }

  /** Stops the task (the first reason wins). */
  abort(reason: unknown = new DOMException("This operation was aborted", "AbortError")): void {
    if (this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.#controller?.abort(reason);
    for (const listener of this.#listeners.splice(0)) listener();
  }

  /** Calls `listener` once the task is stopped; returns a function that removes it. */
  onAbort(listener: () => void): () => void {
    this.#listeners.push(listener);
    return () => {
      const at = this.#listeners.indexOf(listener);
      if (at >= 0) this.#listeners.splice(at, 1);
    };
  }

  /** Stops the task when `signal` aborts (watched from the next turn of the event loop). */
  follow(signal: AbortSignal | undefined): void {
    if (!signal) return;
    if (signal.aborted) {
      this.abort(signal.reason);
      return;
    }
    this.#followed.push(signal);
    this.#watchSoon();
  }

  /** Stops the timeout and following signals; call it when the task has ended. */
  release(): void {
    if (this.#watch) clearImmediate(this.#watch);
    clearTimeout(this.#timer);
    for (const signal of this.#followed) followers.get(signal)?.delete(this);
    this.#followed = [];
  }

  #watchSoon(): void {
    this.#watch ??= setImmediate(() => this.#startWatching());
  }

  #startWatching(): void {
    if (Number.isFinite(this.#timeoutMs) && !this.#aborted) {
      // Whole milliseconds: Node keeps one timer list per distinct duration.
      const remaining = Math.max(0, Math.ceil(this.#deadline - performance.now()));
      this.#timer = setTimeout(() => this.#timeOut(), remaining);
    }
    for (const signal of this.#followed) {
      if (this.#aborted) return;
      if (signal.aborted) this.abort(signal.reason);
      else listen(signal, this);
    }
  }

  #timeOut(): void {
    if (this.#aborted) return;
    this.#timedOut = true;
    this.abort(new DOMException(`timed out after ${this.#timeoutMs / 1000} s`, "TimeoutError"));
  }

  /** Throws the reason (as an Error) once the task is stopped. */
  throwIfAborted(): void {
    if (this.#aborted) throw abortError(this.#reason);
  }
}
