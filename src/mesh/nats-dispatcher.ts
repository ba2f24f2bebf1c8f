/**
 * The mesh {@link Dispatcher}: publishes each task to `loom.tasks.incoming` (the router takes it
 * from there) and waits for its result. A drop-in for `LocalDispatcher`: the MCP gateway and the
 * pipeline runner use it unchanged when a NATS URL is configured. Cancellation and progress cross
 * the mesh; a result published while this process was disconnected is fetched from the results
 * stream after the reconnect.
 */

import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import { inBackground } from "../bus/background.js";
import { ensureMesh, type Mesh } from "../bus/streams.js";
import { cancelSubject, INCOMING_SUBJECT, idToken, progressSubject, resultSubject } from "../bus/subjects.js";
import { traceHeaders } from "../bus/trace-headers.js";
import { decodeResult, encodeJson } from "../bus/wire.js";
import type { WorkerConfig } from "../config/types.js";
import { ErrorCode } from "../errors.js";
import { currentTraceContext } from "../telemetry/tracer.js";
import type { Dispatcher, DispatchOptions, TaskProgress } from "../worker/dispatcher.js";
import { failedResult, type TaskMessage, type TaskResult } from "../worker/messages.js";
import { sleep, storedResult } from "./results.js";

export interface NatsDispatcherOptions {
  /** The connection (its owner closes it; the dispatcher does not). */
  nc: NatsConnection;
  /** The mesh's streams and buckets, from `ensureMesh(nc)`. */
  mesh: Mesh;
  /** Worker configs the caller knows: a task without a tier gets its worker's default tier here, at the edge, and its deadline from the worker's timeout. */
  workers?: ReadonlyMap<string, WorkerConfig>;
  /** The wait for a result when the worker's timeout is unknown. @default 300 000 */
  defaultTimeoutMs?: number;
  /** Time for queueing and the wire on top of a worker's `timeout_seconds`. @default 30 000 */
  graceMs?: number;
}

interface Pending {
  task: TaskMessage;
  subject: string;
  settle: (result: TaskResult) => void;
}

/**
 * @example
 * const nc = await connectNats({ url: "nats://127.0.0.1:4222", name: "my-app" });
 * const dispatcher = await NatsDispatcher.open(nc, { workers });
 * const result = await dispatcher.dispatch({ task_id: randomUUID(), worker_type: "summarizer", payload: { text } });
 */
export class NatsDispatcher implements Dispatcher {
  readonly #nc: NatsConnection;
  readonly #mesh: Mesh;
  readonly #js: JetStreamClient;
  readonly #options: NatsDispatcherOptions;
  readonly #pending = new Map<string, Pending>();
  #closed = false;

  constructor(options: NatsDispatcherOptions) {
    this.#nc = options.nc;
    this.#mesh = options.mesh;
    this.#js = jetstream(options.nc);
    this.#options = options;
    inBackground(this.#recoverAfterReconnects(), "recovering task results after reconnects");
  }

  /** Makes sure the mesh's streams exist, then dispatches over `nc` (which the caller keeps owning). */
  static async open(
    nc: NatsConnection,
    options: Omit<NatsDispatcherOptions, "nc" | "mesh"> = {},
  ): Promise<NatsDispatcher> {
    return new NatsDispatcher({ ...options, nc, mesh: await ensureMesh(nc) });
  }

  async dispatch(task: TaskMessage, options: DispatchOptions = {}): Promise<TaskResult> {
    if (this.#closed) {
      return failedResult(task, { code: ErrorCode.Cancelled, message: "the NATS dispatcher is closed" });
    }
    if (options.signal?.aborted) return cancelledResult(task);
    const worker = this.#options.workers?.get(task.worker_type);
    const tier = task.tier ?? worker?.defaultModelTier;
    const waitMs =
      (worker ? worker.timeoutSeconds * 1000 : (this.#options.defaultTimeoutMs ?? 300_000)) +
      (this.#options.graceMs ?? 30_000);
    const deadlineMs = Date.now() + waitMs;
    const reply = task.reply_to ?? resultSubject(task.task_id, task.goal_id);
    // The worker on the other end continues the trace of the caller (a stage, a tool call).
    const traceContext = task.trace_context ?? currentTraceContext();
    const wire: TaskMessage = {
      ...task,
      ...(tier ? { tier } : {}),
      ...(traceContext ? { trace_context: traceContext } : {}),
      created_at: task.created_at ?? new Date().toISOString(),
      deadline: new Date(deadlineMs).toISOString(),
      reply_to: reply,
      delivery_id: task.task_id,
    };

    // Plain callbacks rather than an AbortController: aborting one builds a DOMException per task.
    const cleanups: Array<() => void> = [];
    let settled = false;
    let settle: (value: TaskResult) => void = () => {};
    const result = new Promise<TaskResult>((resolve) => {
      settle = (value) => {
        if (settled) return;
        settled = true;
        for (const cleanup of cleanups) cleanup();
        resolve(value);
      };
    });
    this.#pending.set(task.task_id, { task, subject: reply, settle });
    cleanups.push(() => this.#pending.delete(task.task_id));
    const subscription = this.#nc.subscribe(reply, {
      max: 1,
      callback: (_error, msg) => {
        const decoded = decodeResult(msg.data);
        settle(
          decoded.ok
            ? decoded.value
            : failedResult(task, {
                code: ErrorCode.Internal,
                message: `the mesh answered with ${decoded.reason}`,
              }),
        );
      },
    });
    cleanups.push(() => subscription.unsubscribe());
    if (options.onProgress) {
      const progress = this.#progress(task, options.onProgress);
      cleanups.push(() => progress.unsubscribe());
    }
    const signal = options.signal;
    if (signal) {
      const onAbort = () => {
        this.#cancel(task);
        settle(cancelledResult(task));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      cleanups.push(() => signal.removeEventListener("abort", onAbort));
    }
    const timer = setTimeout(() => {
      void this.#stored(reply).then((stored) =>
        settle(
          stored ??
            failedResult(task, {
              code: ErrorCode.Timeout,
              message: `no result for worker '${task.worker_type}'${tier ? ` (tier ${tier})` : ""} within ${Math.round(waitMs / 1000)} s: is a worker for it running? (\`loom mesh status\`)`,
              details: { waited_ms: waitMs },
            }),
        ),
      );
    }, waitMs);
    cleanups.push(() => clearTimeout(timer));
    await this.#publish(wire, deadlineMs, () => settled);
    return result;
  }

  /** Stops taking tasks; tasks in flight end as cancelled. The NATS connection stays open (its owner closes it). */
  async close(): Promise<void> {
    this.#closed = true;
    for (const pending of this.#pending.values()) {
      pending.settle(
        failedResult(pending.task, { code: ErrorCode.Cancelled, message: "the NATS dispatcher closed" }),
      );
    }
  }

  /** Publishes with the task id as the de-duplication id, retrying while the server is away. */
  async #publish(task: TaskMessage, deadlineMs: number, settled: () => boolean): Promise<void> {
    for (let attempt = 0; !settled() && Date.now() < deadlineMs; attempt++) {
      try {
        await this.#js.publish(INCOMING_SUBJECT, encodeJson(task), {
          msgID: task.delivery_id ?? task.task_id,
          ...traceHeaders(task.trace_context),
        });
        return;
      } catch {
        await sleep(Math.min(2000, 100 * 2 ** attempt));
      }
    }
  }

  #progress(task: TaskMessage, onProgress: (progress: TaskProgress) => void): Subscription {
    return this.#nc.subscribe(progressSubject(task.task_id), {
      callback: (_error, msg) => {
        try {
          const note = msg.json<TaskProgress>();
          if (typeof note?.message === "string") onProgress({ message: note.message });
        } catch {
          // a malformed progress note is not worth failing the task for
        }
      },
    });
  }

  #cancel(task: TaskMessage): void {
    this.#nc.publish(cancelSubject(task.task_id));
    void this.#mesh.cancelled
      .put(idToken(task.task_id), encodeJson({ at: new Date().toISOString() }))
      .catch(() => undefined);
  }

  async #stored(subject: string): Promise<TaskResult | undefined> {
    return storedResult(this.#mesh.jsm, subject);
  }

  /** Results published while disconnected never reach the subscription: read them from the stream. */
  async #recoverAfterReconnects(): Promise<void> {
    for await (const status of this.#nc.status()) {
      if (status.type !== "reconnect") continue;
      for (const pending of this.#pending.values()) {
        const stored = await this.#stored(pending.subject);
        if (stored) pending.settle(stored);
      }
    }
  }
}

function cancelledResult(task: TaskMessage): TaskResult {
  return failedResult(task, {
    code: ErrorCode.Cancelled,
    message: `task for worker '${task.worker_type}' was cancelled by its caller`,
  });
}
