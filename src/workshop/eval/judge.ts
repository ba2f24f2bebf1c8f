/**
 * The `llm_judge` scoring method: a model of the judge tier reads the rubric, the case's input,
 * its expected output and the worker's actual output, and answers `{"score": 0..1, "reason": "..."}`.
 * A reply that is not that JSON is a case error (`invalid_output`), never a crash.
 */
import type { Tier } from "../../config/types.js";
import { errorMessage, isAbortError, LoomError } from "../../errors.js";
import type { TokenUsage } from "../../llm/backend.js";
import { extractJson } from "../../llm/json-extract.js";
import type { LoomSettings } from "../../llm/settings.js";
import { type ResolvedTier, resolveTier } from "../../llm/tiers.js";
import type { TaskError } from "../../worker/messages.js";
import { isJsonObject } from "./deep-equal.js";

/** The judge tier when the suite names none. */
export const DEFAULT_JUDGE_TIER: Tier = "standard";

/** Longest judge reply. */
const JUDGE_MAX_OUTPUT_TOKENS = 1000;

const JUDGE_SYSTEM_PROMPT = `You are a strict evaluator of an AI worker's output.
You receive a JSON object with: rubric (what a good answer is), input (what the worker was given),
expected (a reference answer) and actual (what the worker produced).
Score how well "actual" satisfies the rubric, using "expected" as the reference.
Respond with ONLY a JSON object: {"score": <number from 0 to 1>, "reason": "<one or two sentences>"}`;

const JUDGE_OUTPUT_SCHEMA = {
  type: "object",
  required: ["score", "reason"],
  properties: { score: { type: "number", minimum: 0, maximum: 1 }, reason: { type: "string" } },
};

/** What the judge is asked about. */
export interface JudgeRequest {
  rubric: string;
  input: Record<string, unknown>;
  expected: Record<string, unknown>;
  actual: Record<string, unknown> | null;
  signal?: AbortSignal;
}

/** The judge's verdict, or why there is none. Usage is what the judge call consumed. */
export type JudgeVerdict =
  | { ok: true; score: number; reason: string; usage: TokenUsage; model: string; raw: string }
  | { ok: false; error: TaskError; usage: TokenUsage; raw: string | null };

/** A judge bound to one tier of the settings. */
export interface Judge {
  readonly tier: Tier;
  judge(request: JudgeRequest): Promise<JudgeVerdict>;
}

/**
 * Resolves the judge tier once (throws `config_error` when the tier has no LLM backend, so a
 * misconfigured judge stops the run before any case) and returns a judge for every case.
 *
 * @example
 * const judge = createJudge("standard", settings);
 * const verdict = await judge.judge({ rubric, input, expected, actual });
 */
export function createJudge(tier: Tier, settings: LoomSettings): Judge {
  const resolved = resolveTier(tier, settings);
  return { tier, judge: (request) => askJudge(resolved, request) };
}

async function askJudge(resolved: ResolvedTier, request: JudgeRequest): Promise<JudgeVerdict> {
  const none = { input: 0, output: 0 };
  const question = JSON.stringify(
    { rubric: request.rubric, input: request.input, expected: request.expected, actual: request.actual },
    null,
    2,
  );
  let reply: Awaited<ReturnType<ResolvedTier["backend"]["complete"]>>;
  try {
    reply = await resolved.backend.complete({
      model: resolved.model,
      system: JUDGE_SYSTEM_PROMPT,
      messages: [{ role: "user", content: question }],
      ...(resolved.structuredOutput ? { outputSchema: JUDGE_OUTPUT_SCHEMA } : {}),
      maxOutputTokens: JUDGE_MAX_OUTPUT_TOKENS,
      ...(request.signal ? { signal: request.signal } : {}),
    });
  } catch (error) {
    if (request.signal?.aborted || isAbortError(error)) {
      return {
        ok: false,
        error: { code: "cancelled", message: "the judge call was cancelled" },
        usage: none,
        raw: null,
      };
    }
    const code = error instanceof LoomError ? error.code : "llm_error";
    return {
      ok: false,
      error: { code, message: `llm_judge (tier ${resolved.tier}): ${errorMessage(error)}` },
      usage: none,
      raw: null,
    };
  }
  const verdict = readVerdict(reply.text);
  if (typeof verdict === "string") {
    return {
      ok: false,
      error: {
        code: "invalid_output",
        message: `llm_judge (tier ${resolved.tier}): ${verdict}; expected {"score": 0..1, "reason": "..."}`,
        details: { judge_reply: reply.text },
      },
      usage: reply.usage,
      raw: reply.text,
    };
  }
  return { ok: true, ...verdict, usage: reply.usage, model: reply.model, raw: reply.text };
}

/** The verdict in a judge reply, or what is wrong with the reply. */
function readVerdict(text: string): { score: number; reason: string } | string {
  const extracted = extractJson(text);
  if (!extracted.ok) return `the judge's reply is not JSON (${extracted.reason})`;
  const value = extracted.value;
  if (!isJsonObject(value)) return "the judge's reply is not a JSON object";
  const { score, reason } = value;
  if (typeof score !== "number" || !Number.isFinite(score) || score < 0 || score > 1) {
    return `the judge's score is ${JSON.stringify(score)}, not a number from 0 to 1`;
  }
  return { score, reason: typeof reason === "string" ? reason : "" };
}
