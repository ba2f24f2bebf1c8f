/**
 * The mesh {@link GoalRunner}: publishes a goal to `loom.goals.{pipeline}` (or
 * `loom.goals.incoming` for any orchestrator) and follows `loom.results.{goal_id}` — stage events
 * to `onEvent`, then the final result. Aborting asks the orchestrator to cancel the goal.
 */

import { type JetStreamClient, jetstream } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { inBackground } from "../bus/background.js";
import { type Mesh, STREAMS } from "../bus/streams.js";
import {
  GOALS_INCOMING_SUBJECT,
  goalCancelSubject,
  goalResultSubject,
  goalSubject,
  idToken,
} from "../bus/subjects.js";
import { traceHeaders } from "../bus/trace-headers.js";
import { encodeJson, type GoalMessage, type GoalUpdate } from "../bus/wire.js";
import { ErrorCode } from "../errors.js";
import type { GoalRunner } from "../pipeline/goal-runner.js";
import type { Goal, PipelineResult, RunGoalOptions } from "../pipeline/types.js";
import { currentTraceContext } from "../telemetry/tracer.js";
import type { RegistryView } from "./registry.js";
import { sleep } from "./results.js";

export interface NatsGoalRunnerOptions {
  nc: NatsConnection;
  mesh: Mesh;
  /** The pipeline goals go to. @default any orchestrator (loom.goals.incoming) */
  pipeline?: string;
  /** After a cancel, how long to wait for the orchestrator's own cancelled result. @default 5 000 */
  cancelWaitMs?: number;
  /**
   * When given, a goal for a pipeline no orchestrator runs fails at once (`unroutable`) instead of
   * waiting for one: what an interactive caller (an MCP tool call) wants.
   */
  registry?: RegistryView;
}

export class NatsGoalRunner implements GoalRunner {
  readonly #options: NatsGoalRunnerOptions;
  readonly #js: JetStreamClient;
  /** Goals being followed: their result subject → settle. */
  readonly #pending = new Map<string, (result: PipelineResult) => void>();

  constructor(options: NatsGoalRunnerOptions) {
    this.#options = options;
    this.#js = jetstream(options.nc);
    inBackground(this.#recoverAfterReconnects(), "recovering goal results after reconnects");
  }

  /** The subject goals are published to. */
  get subject(): string {
    return this.#options.pipeline === undefined
      ? GOALS_INCOMING_SUBJECT
      : goalSubject(this.#options.pipeline);
  }

  /** Publishes the goal without following it (`loom submit --no-wait`). */
  async submit(goal: Goal): Promise<void> {
    await this.#publish(this.#message(goal));
  }

  #message(goal: Goal): GoalMessage {
    // The orchestrator continues the trace of the caller (a tool call, `loom submit`).
    const traceContext = currentTraceContext();
    return {
      goal_id: goal.goal_id,
      context: goal.context,
      ...(goal.instruction === undefined ? {} : { instruction: goal.instruction }),
      ...(this.#options.pipeline === undefined ? {} : { pipeline: this.#options.pipeline }),
      ...(traceContext ? { trace_context: traceContext } : {}),
    };
  }

  async run(goal: Goal, options: RunGoalOptions = {}): Promise<PipelineResult> {
    const { nc, registry, pipeline } = this.#options;
    if (registry && pipeline !== undefined && registry.orchestrators(pipeline).length === 0) {
      return goalFailure(goal, pipeline, "failed", {
        code: ErrorCode.Unroutable,
        message: `no orchestrator runs pipeline '${pipeline}' on the mesh; start one with \`loom pipeline --config <file>\``,
      });
    }
    const subject = goalResultSubject(goal.goal_id);
    let settle: (result: PipelineResult) => void = () => {};
    const result = new Promise<PipelineResult>((resolve) => {
      settle = resolve;
    });
    const updates = nc.subscribe(subject, {
      callback: (_error, msg) => {
        let update: GoalUpdate;
        try {
          update = msg.json<GoalUpdate>();
        } catch {
          return;
        }
        if (update.type === "event") options.onEvent?.(update.event);
        else if (update.type === "result") settle(update.result);
      },
    });
    const onAbort = () => inBackground(this.#cancel(goal, settle), `cancelling goal ${goal.goal_id}`);
    options.signal?.addEventListener("abort", onAbort, { once: true });
    this.#pending.set(subject, settle);
    try {
      await this.#publish(this.#message(goal));
      return await result;
    } finally {
      options.signal?.removeEventListener("abort", onAbort);
      updates.unsubscribe();
      this.#pending.delete(subject);
    }
  }

  async #publish(message: GoalMessage): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#js.publish(this.subject, encodeJson(message), {
          msgID: message.goal_id,
          ...traceHeaders(message.trace_context),
        });
        return;
      } catch (error) {
        if (attempt >= 20) throw error;
        await sleep(Math.min(2000, 100 * 2 ** attempt));
      }
    }
  }

  async #cancel(goal: Goal, settle: (result: PipelineResult) => void): Promise<void> {
    const { nc, mesh } = this.#options;
    nc.publish(goalCancelSubject(goal.goal_id));
    await mesh.cancelled
      .put(`goal.${idToken(goal.goal_id)}`, encodeJson({ at: new Date().toISOString() }))
      .catch(() => undefined);
    await sleep(this.#options.cancelWaitMs ?? 5000);
    settle(
      goalFailure(goal, this.#options.pipeline ?? "", "cancelled", {
        code: ErrorCode.Cancelled,
        message: `goal '${goal.goal_id}' was cancelled (no orchestrator confirmed it)`,
      }),
    );
  }

  /** A final result published while this process was disconnected is read from the stream. */
  async #recoverAfterReconnects(): Promise<void> {
    for await (const status of this.#options.nc.status()) {
      if (status.type !== "reconnect") continue;
      for (const [subject, settle] of this.#pending) {
        const stored = await this.#options.mesh.jsm.streams
          .getMessage(STREAMS.results, { last_by_subj: subject })
          .catch(() => null);
        const update = stored?.json<GoalUpdate>();
        if (update?.type === "result") settle(update.result);
      }
    }
  }
}

function goalFailure(
  goal: Goal,
  pipeline: string,
  status: "failed" | "cancelled",
  error: { code: ErrorCode; message: string },
): PipelineResult {
  return {
    goal_id: goal.goal_id,
    pipeline,
    status,
    stages: {},
    error,
    timeline: [],
    duration_ms: 0,
    queued_ms: 0,
  };
}
