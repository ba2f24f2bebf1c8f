/**
 * The input token budget of an LLM worker (`max_input_tokens`, configs/workers/_template.yaml):
 * what the model is sent — system prompt with knowledge, the payload and the tool definitions —
 * is estimated at ~4 characters per token and checked before any LLM call.
 */
import { LoomError } from "../errors.js";
import { CHARS_PER_TOKEN } from "./knowledge.js";

/** One part of the input, named for the error message. */
export interface InputPart {
  label: string;
  text: string;
}

/** Estimated tokens of `text` (~4 characters per token). */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

/**
 * Throws `invalid_input` when the parts together are estimated over `maxInputTokens`, naming the
 * size of each part and the budget.
 *
 * @example checkInputBudget("summarizer", 4000, [{ label: "payload", text: JSON.stringify(payload) }]);
 */
export function checkInputBudget(worker: string, maxInputTokens: number, parts: InputPart[]): void {
  const chars = parts.reduce((sum, part) => sum + part.text.length, 0);
  const tokens = Math.ceil(chars / CHARS_PER_TOKEN);
  if (tokens <= maxInputTokens) return;
  const sizes = parts
    .filter((part) => part.text.length > 0)
    .map((part) => `${part.label} ~${estimateTokens(part.text)}`)
    .join(", ");
  throw new LoomError(
    "invalid_input",
    `input for worker '${worker}' is ~${tokens} tokens (${chars} chars at ~${CHARS_PER_TOKEN} chars/token: ${sizes}), ` +
      `over its max_input_tokens ${maxInputTokens}; send a smaller input, or raise max_input_tokens in the worker config`,
    {
      details: {
        worker,
        estimated_tokens: tokens,
        max_input_tokens: maxInputTokens,
        parts: Object.fromEntries(parts.map((part) => [part.label, estimateTokens(part.text)])),
      },
    },
  );
}
