/**
 * Progress for one tool call: keeps the values a client sees strictly increasing (the MCP spec
 * requires it) and sends a heartbeat while the call runs, so clients that reset their timeout on
 * progress never time out on a long pipeline (issue 7, "Progress").
 */
import { performance } from "node:perf_hooks";
import type { ToolProgress } from "./tool-spec.js";

/** Heartbeat interval. @default 10 s, as the issue asks ("at least every 10 s"). */
export const DEFAULT_HEARTBEAT_MS = 10_000;

/** A progress notification's params, minus the token. */
export interface ProgressParams {
  progress: number;
  total?: number;
  message?: string;
}

export interface ProgressReporterOptions {
  /** Sends one notification; errors are swallowed (a gone client must not fail the call). */
  send: (params: ProgressParams) => Promise<void>;
  /** @default DEFAULT_HEARTBEAT_MS */
  heartbeatMs?: number;
}

// Heartbeats and non-advancing reports add a thousandth each, so they stay below the next whole
// step (a stage completing) for 999 reports — over two and a half hours of heartbeats.
const BUMP = 0.001;
const MAX_BUMPS = 999;

/**
 * How long the result waits after the last progress notification. Clients drop (the TypeScript
 * SDK reports an error; some hosts even close the connection) a progress notification they read
 * in the same chunk as the response, because they handle the response first
 * (modelcontextprotocol/typescript-sdk#2580). A short pause lets the notification go out alone.
 */
export const PROGRESS_SETTLE_MS = 50;

/**
 * Forwards progress reports, bumping any that would not advance, and beats every `heartbeatMs`
 * until {@link stop}. Call {@link stop} when the call ends: nothing is sent afterwards.
 *
 * @example
 * const progress = new ProgressReporter({ send: (p) => notify(token, p) });
 * progress.report({ progress: 1, total: 3, message: "stage 'extract' completed" });
 * await progress.stop();
 */
export class ProgressReporter {
  readonly #send: (params: ProgressParams) => Promise<void>;
  readonly #timer: NodeJS.Timeout;
  #base = 0;
  #bumps = 0;
  #total: number | undefined;
  #lastMessage: string | undefined;
  #sent = false;
  #stopped = false;
  // Notifications go out one after another, and all before the call's result (see stop()).
  #chain: Promise<void> = Promise.resolve();
  #lastSentAt = 0;

  constructor(options: ProgressReporterOptions) {
    this.#send = options.send;
    const interval = options.heartbeatMs ?? DEFAULT_HEARTBEAT_MS;
    this.#timer = setInterval(() => this.#heartbeat(), interval);
    this.#timer.unref();
  }

  /** Forwards one report; a value that does not advance is nudged just above the last one. */
  report(update: ToolProgress): void {
    if (this.#stopped) return;
    if (update.total !== undefined) this.#total = update.total;
    if (update.message !== undefined) this.#lastMessage = update.message;
    if (update.progress > this.#current()) {
      this.#base = update.progress;
      this.#bumps = 0;
    } else if (this.#sent && !this.#bump()) {
      return;
    }
    this.#emit(update.message);
  }

  /**
   * Stops the heartbeat and resolves once every report sent so far is out (and has had
   * {@link PROGRESS_SETTLE_MS} to reach the client ahead of the result). Later reports are dropped.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    await this.#chain;
    if (!this.#sent) return;
    const wait = this.#lastSentAt + PROGRESS_SETTLE_MS - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }

  #heartbeat(): void {
    if (this.#stopped || !this.#bump()) return;
    this.#emit(this.#lastMessage ? `${this.#lastMessage} (still running)` : "still running");
  }

  #bump(): boolean {
    if (this.#bumps >= MAX_BUMPS) return false;
    this.#bumps += 1;
    return true;
  }

  #current(): number {
    return Math.round((this.#base + this.#bumps * BUMP) * 1000) / 1000;
  }

  #emit(message: string | undefined): void {
    this.#sent = true;
    const params: ProgressParams = {
      progress: this.#current(),
      ...(this.#total === undefined ? {} : { total: this.#total }),
      ...(message === undefined ? {} : { message }),
    };
    this.#chain = this.#chain
      .then(() => this.#send(params))
      .catch(() => {})
      .then(() => {
        this.#lastSentAt = performance.now();
      });
  }
}
