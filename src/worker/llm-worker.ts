/**
 * The LLM call of an LLM worker, with the tool loop of Part 9: the model gets the tool
 * definitions; when it asks for tools they run (in parallel when it asks for several), the results
 * go back to it, and this repeats until it answers with text — at most {@link MAX_TOOL_ROUNDS}
 * model calls. A tool that throws hands its error text to the model, not a crash.
 */
import type { JsonSchema } from "../config/types.js";
import { compileSchema, formatViolations, validateAgainstSchema } from "../contracts/validate.js";
import { errorMessage, isAbortError, LoomError } from "../errors.js";
import type {
  LlmMessage,
  LlmRequest,
  LlmResponse,
  LlmStopReason,
  LlmToolCall,
  LlmToolResult,
} from "../llm/backend.js";
import type { ResolvedTier } from "../llm/tiers.js";
import { endChatSpan, startChatSpan, startToolSpan } from "../telemetry/gen-ai.js";
import type { TaskProgress } from "./dispatcher.js";
import { checkInputBudget } from "./input-budget.js";
import type { TokenUsage } from "./messages.js";
import type { LoadedTool } from "./tool-loader.js";

/** Model calls allowed per task when tools are in play (the guide: "up to 10 rounds"). */
export const MAX_TOOL_ROUNDS = 10;

/** What the model call accumulates; kept up to date even when the call fails part-way. */
export interface LlmRunState {
  usage: TokenUsage;
  model: string | null;
  /** The last text the model produced. */
  text: string | null;
  /** Model calls made so far. */
  rounds: number;
  stopReason?: LlmStopReason;
}

export interface RunLlmOptions {
  resolved: ResolvedTier;
  system: string;
  payload: Record<string, unknown>;
  outputSchema?: JsonSchema;
  maxOutputTokens: number;
  tools: LoadedTool[];
  signal: AbortSignal;
  onProgress?: (progress: TaskProgress) => void;
  /** @default MAX_TOOL_ROUNDS */
  maxRounds?: number;
  /** Filled in as the conversation goes; pass one to read usage after a failure. */
  state?: LlmRunState;
  /**
   * The worker's `max_input_tokens`: system prompt + payload + tool definitions are checked
   * against it before the first model call (`invalid_input` when over). @default no check
   */
  inputBudget?: { worker: string; maxInputTokens: number };
}

/**
 * Runs the conversation and returns its state, with `text` the model's final answer.
 * Throws `llm_error` when the provider fails or the model is still calling tools after
 * `maxRounds` calls; rethrows the abort error when `signal` fires.
 */
export async function runLlm(options: RunLlmOptions): Promise<LlmRunState> {
  const state: LlmRunState = options.state ?? {
    usage: { input: 0, output: 0 },
    model: null,
    text: null,
    rounds: 0,
  };
  const { resolved, tools, signal } = options;
  const maxRounds = options.maxRounds ?? MAX_TOOL_ROUNDS;
  const userText = JSON.stringify(options.payload, null, 2);
  if (options.inputBudget) {
    checkInputBudget(options.inputBudget.worker, options.inputBudget.maxInputTokens, [
      { label: "system prompt and knowledge", text: options.system },
      { label: "payload", text: userText },
      {
        label: "tool definitions",
        text: tools.length > 0 ? JSON.stringify(tools.map((t) => t.definition)) : "",
      },
    ]);
  }
  const messages: LlmMessage[] = [{ role: "user", content: userText }];
  const byName = new Map(tools.map((tool) => [tool.definition.name, tool]));
  while (state.rounds < maxRounds) {
    const reply = await complete(resolved, {
      model: resolved.model,
      system: options.system,
      messages,
      ...(tools.length > 0 ? { tools: tools.map((t) => t.definition) } : {}),
      ...(resolved.structuredOutput && options.outputSchema ? { outputSchema: options.outputSchema } : {}),
      maxOutputTokens: options.maxOutputTokens,
      signal,
      onRetry: (message) => options.onProgress?.({ message }),
    });
    state.rounds++;
    state.usage = {
      input: state.usage.input + reply.usage.input,
      output: state.usage.output + reply.usage.output,
    };
    state.model = reply.model;
    state.text = reply.text;
    state.stopReason = reply.stopReason;
    if (reply.toolCalls.length === 0) return state;
    options.onProgress?.({
      message: `tool round ${state.rounds}: ${reply.toolCalls.map((c) => c.name).join(", ")}`,
    });
    messages.push({ role: "assistant", content: reply.text, toolCalls: reply.toolCalls });
    const results = await Promise.all(reply.toolCalls.map((call) => runTool(call, byName, signal)));
    messages.push({ role: "tool", results });
  }
  const last = messages.at(-2);
  const names = last?.role === "assistant" ? (last.toolCalls ?? []).map((c) => c.name).join(", ") : "";
  throw new LoomError(
    "llm_error",
    `the model was still calling tools after ${maxRounds} rounds (the limit; last: ${names}) without a final ` +
      "answer — tell it in the system prompt when to stop calling tools and answer with the JSON object",
    { category: "upstream", details: { rounds: state.rounds, max_rounds: maxRounds, last_tools: names } },
  );
}

/** One model call, traced as a `chat <model>` span. */
async function complete(resolved: ResolvedTier, request: LlmRequest): Promise<LlmResponse> {
  const span = startChatSpan(resolved.backend.kind, request);
  try {
    const reply = await resolved.backend.complete(request);
    endChatSpan(span, reply);
    return reply;
  } catch (error) {
    span.recordError(error instanceof LoomError ? error.code : "llm_error", errorMessage(error));
    span.end();
    throw error;
  }
}

/** Runs one tool call, traced as an `execute_tool <name>` span. */
async function runTool(
  call: LlmToolCall,
  byName: ReadonlyMap<string, LoadedTool>,
  signal: AbortSignal,
): Promise<LlmToolResult> {
  const span = startToolSpan(call.name, call.id);
  try {
    const result = await runToolUntraced(call, byName, signal);
    if (result.isError) span.recordError("tool_error", result.content);
    return result;
  } catch (error) {
    span.recordError("cancelled", errorMessage(error));
    throw error;
  } finally {
    span.end();
  }
}

/** Runs one tool call; failures become text the model can read and react to. */
async function runToolUntraced(
  call: LlmToolCall,
  byName: ReadonlyMap<string, LoadedTool>,
  signal: AbortSignal,
): Promise<LlmToolResult> {
  const fail = (content: string): LlmToolResult => ({
    callId: call.id,
    name: call.name,
    content,
    isError: true,
  });
  const tool = byName.get(call.name);
  if (!tool) return fail(`Error: unknown tool '${call.name}' (tools: ${[...byName.keys()].join(", ")})`);
  const violations = argumentViolations(tool, call.arguments);
  if (violations) return fail(`Error: invalid arguments for '${call.name}': ${violations}`);
  try {
    const content = await tool.execute(call.arguments, { signal });
    return {
      callId: call.id,
      name: call.name,
      content: typeof content === "string" ? content : JSON.stringify(content),
    };
  } catch (error) {
    if (signal.aborted || isAbortError(error)) throw error;
    return fail(`Error: ${errorMessage(error)}`);
  }
}

/** The arguments' schema violations as text, or undefined when they fit (or the schema is unusable). */
function argumentViolations(tool: LoadedTool, args: Record<string, unknown>): string | undefined {
  try {
    compileSchema(tool.definition.input_schema);
  } catch {
    return undefined;
  }
  const violations = validateAgainstSchema(tool.definition.input_schema, args);
  return violations.length > 0 ? formatViolations(violations) : undefined;
}
