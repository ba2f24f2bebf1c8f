/**
 * Messages as they travel on the mesh: the same snake_case JSON as in-process, plus what a wire
 * needs (where to reply, a deadline, the attempt). Every message read off the wire is checked with
 * these schemas; a message that fails is dead-lettered with the reason, never trusted.
 */
import { z } from "zod";
import { TIERS } from "../config/types.js";
import { ErrorCode } from "../errors.js";
import type { PipelineEvent, PipelineResult } from "../pipeline/types.js";
import type { TaskMessage, TaskResult } from "../worker/messages.js";

const record = z.record(z.string(), z.unknown());
const traceContext = z.object({ traceparent: z.string(), tracestate: z.string().optional() });

export const TaskMessageSchema = z.object({
  task_id: z.string().min(1),
  worker_type: z.string().min(1),
  tier: z.enum(TIERS).optional(),
  payload: record,
  parent_task_id: z.string().optional(),
  goal_id: z.string().optional(),
  metadata: record.optional(),
  created_at: z.string().optional(),
  deadline: z.string().optional(),
  attempt: z.number().int().positive().optional(),
  reply_to: z.string().min(1).optional(),
  delivery_id: z.string().min(1).optional(),
  trace_context: traceContext.optional(),
});

export const TaskResultSchema = z.object({
  task_id: z.string(),
  worker_type: z.string(),
  status: z.enum(["completed", "failed"]),
  output: record.nullable(),
  error: z
    .object({
      code: z.enum(Object.values(ErrorCode) as [string, ...string[]]),
      message: z.string(),
      details: record.optional(),
    })
    .nullable(),
  model_used: z.string().nullable(),
  token_usage: z.object({ input: z.number(), output: z.number() }),
  latency_ms: z.number(),
  raw_response: z.string().nullable().optional(),
  parent_task_id: z.string().optional(),
  goal_id: z.string().optional(),
  worker_id: z.string().optional(),
  attempts: z.number().optional(),
});

export const GoalMessageSchema = z.object({
  goal_id: z.string().min(1),
  context: record,
  instruction: z.string().optional(),
  /** The pipeline asked for; absent when any orchestrator may take the goal. */
  pipeline: z.string().min(1).optional(),
  /** The submitter's span (W3C), so the goal's spans join its trace. */
  trace_context: traceContext.optional(),
});
export type GoalMessage = z.infer<typeof GoalMessageSchema>;

/** What travels on `loom.results.{goal_id}`: each stage event, then the final result. */
export type GoalUpdate = { type: "event"; event: PipelineEvent } | { type: "result"; result: PipelineResult };

/** The outcome of reading a message off the wire. */
export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string; raw: string };

const decoder = new TextDecoder();
const encoder = new TextEncoder();

function decode<T>(data: Uint8Array, schema: z.ZodType<T>, what: string): Decoded<T> {
  const raw = decoder.decode(data);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (error) {
    return { ok: false, reason: `${what} is not JSON: ${(error as Error).message}`, raw };
  }
  const parsed = schema.safeParse(json);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issues = parsed.error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`)
    .join("; ");
  return { ok: false, reason: `not a valid ${what}: ${issues}`, raw };
}

export function decodeTask(data: Uint8Array): Decoded<TaskMessage> {
  return decode(data, TaskMessageSchema as z.ZodType<TaskMessage>, "TaskMessage");
}

export function decodeGoal(data: Uint8Array): Decoded<GoalMessage> {
  return decode(data, GoalMessageSchema, "goal");
}

export function decodeResult(data: Uint8Array): Decoded<TaskResult> {
  return decode(data, TaskResultSchema as unknown as z.ZodType<TaskResult>, "TaskResult");
}

export function encodeJson(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** Room kept for headers and the marker when a result is trimmed to the server's max_payload. */
const HEADROOM = 4096;

/**
 * Encodes a result that fits in `maxPayload` bytes: a too long `raw_response` is cut first, then an
 * output too large to send is replaced by a failed result saying so — a result is never dropped.
 */
export function encodeResult(result: TaskResult, maxPayload: number): Uint8Array {
  const whole = encodeJson(result);
  if (whole.length <= maxPayload - HEADROOM) return whole;
  const raw = result.raw_response ?? "";
  const over = whole.length - (maxPayload - HEADROOM);
  if (raw.length > over) {
    const kept = raw.slice(0, Math.max(0, raw.length - over - 200));
    const trimmed = encodeJson({
      ...result,
      raw_response: `${kept}\n…[raw_response trimmed by ${raw.length - kept.length} characters: the result exceeded the NATS server's max_payload of ${maxPayload} bytes]`,
    });
    if (trimmed.length <= maxPayload - HEADROOM) return trimmed;
  }
  return encodeJson({
    ...result,
    status: "failed",
    output: null,
    raw_response: null,
    error: {
      code: "backend_error",
      message: `the result of worker '${result.worker_type}' is ${whole.length} bytes, more than the NATS server's max_payload of ${maxPayload} bytes; return less (or raise max_payload in nats-server.conf)`,
      details: { result_bytes: whole.length, max_payload: maxPayload },
    },
  } satisfies TaskResult);
}
