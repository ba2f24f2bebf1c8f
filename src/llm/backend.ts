/**
 * The one contract every LLM provider implements. Loom speaks to models through `LlmBackend`
 * only: the worker's tool loop, JSON extraction and validation never see a provider's wire format.
 * Implementations (beside this file): Ollama, OpenAI-compatible, Anthropic.
 */
import type { JsonSchema } from "../config/types.js";

/** Tokens a call consumed, as providers report them. */
export interface TokenUsage {
  input: number;
  output: number;
}

/** A tool as offered to the model. `input_schema` is a JSON Schema object. */
export interface ToolDefinition {
  name: string;
  description: string;
  input_schema: Record<string, unknown>;
}

/** The providers Loom ships a backend for. */
export const BackendKind = { Ollama: "ollama", OpenAI: "openai", Anthropic: "anthropic" } as const;
export type BackendKind = (typeof BackendKind)[keyof typeof BackendKind];
export const BACKEND_KINDS: readonly BackendKind[] = Object.values(BackendKind);

/** A tool call the model asked for. `id` pairs it with its result (generated when a provider has none). */
export interface LlmToolCall {
  id: string;
  name: string;
  arguments: Record<string, unknown>;
}

/** What a tool returned (or the error text when it threw), handed back to the model. */
export interface LlmToolResult {
  callId: string;
  name: string;
  content: string;
  isError?: boolean;
}

/**
 * One message of a provider-neutral conversation. Each backend translates it to its own native
 * format: OpenAI `tool` messages, Anthropic `tool_result` blocks, Ollama `tool` messages.
 */
export type LlmMessage =
  | { role: "user"; content: string }
  | { role: "assistant"; content: string; toolCalls?: LlmToolCall[] }
  | { role: "tool"; results: LlmToolResult[] };

/** One call to a model. */
export interface LlmRequest {
  model: string;
  system?: string;
  messages: LlmMessage[];
  /** Tools offered to the model; omitted or empty means plain text. */
  tools?: ToolDefinition[];
  /**
   * The JSON Schema the reply should match. Backends with structured output use it (Ollama
   * `format`, OpenAI `response_format: json_schema`); others ignore it.
   */
  outputSchema?: JsonSchema;
  maxOutputTokens: number;
  /** Aborts the HTTP call (timeout or cancellation). */
  signal?: AbortSignal;
  /** Called before each retry of a transient failure. */
  onRetry?: (note: string) => void;
}

/** Why the model stopped. */
export type LlmStopReason = "stop" | "tool_calls" | "length" | "other";

/** The model's answer to one {@link LlmRequest}. */
export interface LlmResponse {
  /** Text of the reply ('' when the model only called tools). */
  text: string;
  toolCalls: LlmToolCall[];
  usage: TokenUsage;
  /** The model the provider reports having used. */
  model: string;
  stopReason: LlmStopReason;
}

/**
 * An LLM provider. `complete` makes one call (with retries for transient failures inside the
 * request's signal) and throws a `LoomError`: `llm_error` naming the backend, URL and status, or
 * the abort error when the signal fired.
 *
 * @example
 * const reply = await backend.complete({ model: "llama3.2:3b", messages: [{ role: "user", content: "hi" }], maxOutputTokens: 100 });
 */
export interface LlmBackend {
  readonly kind: BackendKind;
  /** Base URL the backend talks to (for error messages). */
  readonly url: string;
  complete(request: LlmRequest): Promise<LlmResponse>;
}

/** Options shared by every backend constructor. */
export interface LlmBackendOptions {
  /** Base URL of the provider. @default the provider's public URL (Ollama: http://localhost:11434) */
  baseUrl?: string;
  apiKey?: string;
  /** Retries of transient failures (connection refused, 429, 5xx). */
  retry?: Partial<RetryPolicy>;
  /** A custom fetch (tests, proxies). @default globalThis.fetch */
  fetch?: typeof fetch;
}

/** How transient failures are retried. */
export interface RetryPolicy {
  /** Total attempts for 429/5xx/network errors. @default 4 */
  maxAttempts: number;
  /** Total attempts when the connection is refused (nothing listens): fail fast. @default 2 */
  maxRefusedAttempts: number;
  /** First backoff; doubles each retry, with jitter. @default 500 */
  baseDelayMs: number;
  /** Longest single backoff (also caps a server's retry-after). @default 8000 */
  maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  maxRefusedAttempts: 2,
  baseDelayMs: 500,
  maxDelayMs: 8000,
};

/** Generates an id for a tool call when the provider does not give one (Ollama). */
export function newToolCallId(): string {
  return `call_${Math.random().toString(36).slice(2, 12)}`;
}
