/**
 * What the three backends share: base URL and SDK client options, the chat-completions tool
 * format (Ollama and OpenAI), and reading tool arguments into an object.
 */

import type { LlmBackendOptions, ToolDefinition } from "./backend.js";

/** The backend's base URL without a trailing slash. */
export function baseUrlOf(options: LlmBackendOptions, fallback: string): string {
  return (options.baseUrl ?? fallback).replace(/\/+$/, "");
}

/**
 * Constructor options for the official `openai` and `@anthropic-ai/sdk` clients. Their own retries
 * are off (Loom's `withRetries` counts them) and their timeout is out of the way: Loom's
 * AbortSignal enforces `timeout_seconds` (an explicit timeout also skips Anthropic's "use
 * streaming for long requests" guard, which is about its default).
 */
export function sdkClientOptions<Key extends string | null>(
  url: string,
  apiKey: Key,
  options: LlmBackendOptions,
): { baseURL: string; apiKey: Key; maxRetries: 0; timeout: number; fetch?: typeof fetch } {
  return {
    baseURL: url,
    apiKey,
    maxRetries: 0,
    timeout: 24 * 60 * 60 * 1000,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  };
}

/** Tools in the `{type: "function", function: {…}}` form Ollama and OpenAI both take. */
export function functionTools(tools: ToolDefinition[]): {
  type: "function";
  function: { name: string; description: string; parameters: Record<string, unknown> };
}[] {
  return tools.map((tool) => ({
    type: "function",
    function: { name: tool.name, description: tool.description, parameters: tool.input_schema },
  }));
}

/**
 * Tool-call arguments as an object. A JSON string (OpenAI, some Ollama models) is parsed; text that
 * is not JSON is kept as `_unparsed_arguments`, so the tool's schema check tells the model what
 * was wrong; anything else that is not an object gives `{}`.
 */
export function toolArguments(value: unknown): Record<string, unknown> {
  if (typeof value === "string") {
    try {
      return toolArguments(JSON.parse(value || "{}"));
    } catch {
      return { _unparsed_arguments: value };
    }
  }
  return typeof value === "object" && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}
