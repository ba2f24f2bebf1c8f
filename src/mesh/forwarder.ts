/**
 * The router's inner dispatcher: sends a task the rules let through to `loom.tasks.{type}.{tier}`
 * and waits for its result (so the rules layer can free the task's slot and correct its token
 * charge). A task nobody serves is answered at once as `unroutable`.
 */
import type { JetStreamClient } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";
import { isSubjectToken, resultSubject, workerSubject } from "../bus/subjects.js";
import { decodeResult, encodeJson } from "../bus/wire.js";
import { ErrorCode } from "../errors.js";
import type { Dispatcher } from "../worker/dispatcher.js";
import { failedResult, type TaskMessage, type TaskResult } from "../worker/messages.js";
import type { RegistryView } from "./registry.js";
import { sleep } from "./results.js";

/** How long the router follows a task without a deadline. */
const DEFAULT_FOLLOW_MS = 10 * 60_000;

export interface ForwarderOptions {
  nc: NatsConnection;
  js: JetStreamClient;
  registry: RegistryView;
  /** Called once the task is stored in the worker stream (the router then acks the incoming message). */
  onForwarded: (task: TaskMessage) => void;
  /**
   * Whether the rules need the result of a task on `tier` (to free its slot or correct its token
   * charge); when not, a forwarded task is done as far as the router is concerned.
   */
  followsResult: (tier: string) => boolean;
}

export class Forwarder implements Dispatcher {
  readonly #options: ForwarderOptions;

  constructor(options: ForwarderOptions) {
    this.#options = options;
  }

  async dispatch(task: TaskMessage): Promise<TaskResult> {
    const { nc, js, registry } = this.#options;
    const tier = task.tier ?? registry.defaultTier(task.worker_type) ?? "standard";
    const refusal = this.#unroutable(task, tier);
    if (refusal) return failedResult(task, { code: ErrorCode.Unroutable, ...refusal });

    const routed: TaskMessage = { ...task, tier };
    const reply = routed.reply_to ?? resultSubject(task.task_id, task.goal_id);
    const deadlineMs = task.deadline ? Date.parse(task.deadline) : Date.now() + DEFAULT_FOLLOW_MS;
    const follow = this.#options.followsResult(tier);
    let settle: (result: TaskResult | undefined) => void = () => {};
    const result = new Promise<TaskResult | undefined>((resolve) => {
      settle = resolve;
    });
    const subscription = follow
      ? nc.subscribe(reply, {
          max: 1,
          callback: (_error, msg) => {
            const decoded = decodeResult(msg.data);
            settle(decoded.ok ? decoded.value : undefined);
          },
        })
      : undefined;
    const timer = follow
      ? setTimeout(() => settle(undefined), Math.max(0, deadlineMs - Date.now()) + 5000)
      : undefined;
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await js.publish(
            workerSubject(task.worker_type, tier),
            encodeJson({ ...routed, reply_to: reply }),
            {
              msgID: task.delivery_id ?? task.task_id,
            },
          );
          break;
        } catch (error) {
          if (Date.now() > deadlineMs) throw error;
          await sleep(Math.min(2000, 100 * 2 ** attempt));
        }
      }
      this.#options.onForwarded(task);
      if (!follow) return forwardedResult(routed);
      // Nothing heard back (a router restart, a lost worker): charge what was estimated.
      return (
        (await result) ??
        failedResult(task, { code: ErrorCode.Timeout, message: "no result seen by the router" })
      );
    } finally {
      clearTimeout(timer);
      subscription?.unsubscribe();
    }
  }

  #unroutable(
    task: TaskMessage,
    tier: string,
  ): { message: string; details: Record<string, unknown> } | undefined {
    const served = this.#options.registry.served();
    if (!isSubjectToken(task.worker_type)) {
      return {
        message: `worker type '${task.worker_type}' cannot be a NATS subject token (use letters, digits, '_' and '-')`,
        details: { worker_type: task.worker_type },
      };
    }
    const servers = this.#options.registry.servers(task.worker_type);
    if (servers.length === 0) {
      return {
        message: `no worker serves '${task.worker_type}' on the mesh (served now: ${served.join(", ") || "nothing"}); start one with \`loom worker --config <file>\` or \`loom processor --config <file>\``,
        details: { worker_type: task.worker_type, tier, served },
      };
    }
    if (!servers.some((entry) => entry.tier === tier || entry.tier === "any")) {
      const tiers = [...new Set(servers.map((entry) => entry.tier))].sort();
      return {
        message: `no worker serves '${task.worker_type}' on tier '${tier}' (it runs on: ${tiers.join(", ")}); start one with \`loom worker --config <file> --tier ${tier}\``,
        details: { worker_type: task.worker_type, tier, tiers },
      };
    }
    return undefined;
  }
}

/** What the router knows of a task it forwarded without following: it is on its way. */
function forwardedResult(task: TaskMessage): TaskResult {
  return {
    task_id: task.task_id,
    worker_type: task.worker_type,
    status: "completed",
    output: null,
    error: null,
    model_used: null,
    token_usage: { input: 0, output: 0 },
    latency_ms: 0,
  };
}
