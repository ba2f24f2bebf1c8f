/**
 * Anthropic's Messages API through the official `@anthropic-ai/sdk`. Tools use `tool_use` content
 * blocks from the model and `tool_result` blocks (in a user turn) from Loom. There is no JSON
 * Schema output mode here; the system prompt and ajv validation carry the contract.
 */
import type Anthropic from "@anthropic-ai/sdk";
import type { MessageCreateParamsNonStreaming, MessageParam } from "@anthropic-ai/sdk/resources/messages";
import {
  BackendKind,
  type LlmBackend,
  type LlmBackendOptions,
  type LlmMessage,
  type LlmRequest,
  type LlmResponse,
  type LlmToolCall,
} from "./backend.js";
import { baseUrlOf, sdkClientOptions, toolArguments } from "./backend-helpers.js";
import { withRetries } from "./retry.js";

/** Anthropic's public API (the SDK appends `/v1/messages`). */
export const DEFAULT_ANTHROPIC_URL = "https://api.anthropic.com";

/**
 * An {@link LlmBackend} for Anthropic's Claude models.
 *
 * @example new AnthropicBackend({ apiKey: process.env.ANTHROPIC_API_KEY })
 */
export class AnthropicBackend implements LlmBackend {
  readonly kind = BackendKind.Anthropic;
  readonly url: string;
  #client: Promise<Anthropic> | undefined;
  readonly #options: LlmBackendOptions;

  constructor(options: LlmBackendOptions = {}) {
    this.url = baseUrlOf(options, DEFAULT_ANTHROPIC_URL);
    this.#options = options;
  }

  /** The SDK client, imported on first use so a gateway that never calls Anthropic never loads it. */
  #sdk(): Promise<Anthropic> {
    const apiKey = this.#options.apiKey ?? null;
    this.#client ??= import("@anthropic-ai/sdk").then(
      ({ default: AnthropicClient }) =>
        new AnthropicClient(sdkClientOptions(this.url, apiKey, this.#options)),
    );
    return this.#client;
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const tools = request.tools ?? [];
    const body: MessageCreateParamsNonStreaming = {
      model: request.model,
      max_tokens: request.maxOutputTokens,
      messages: request.messages.map(toAnthropic),
      ...(request.system ? { system: request.system } : {}),
      ...(tools.length > 0
        ? {
            tools: tools.map((tool) => ({
              name: tool.name,
              description: tool.description,
              input_schema: { type: "object" as const, ...tool.input_schema },
            })),
          }
        : {}),
    };
    const reply = await withRetries(
      this,
      async (signal) => (await this.#sdk()).messages.create(body, { signal }),
      { policy: this.#options.retry, signal: request.signal, onRetry: request.onRetry },
    );
    let text = "";
    const toolCalls: LlmToolCall[] = [];
    for (const block of reply.content) {
      if (block.type === "text") text += block.text;
      else if (block.type === "tool_use") {
        toolCalls.push({ id: block.id, name: block.name, arguments: toolArguments(block.input) });
      }
    }
    return {
      text,
      toolCalls,
      usage: { input: reply.usage.input_tokens, output: reply.usage.output_tokens },
      model: reply.model || request.model,
      stopReason:
        toolCalls.length > 0
          ? "tool_calls"
          : reply.stop_reason === "max_tokens"
            ? "length"
            : reply.stop_reason === "end_turn" || reply.stop_reason === "stop_sequence"
              ? "stop"
              : "other",
    };
  }
}

function toAnthropic(message: LlmMessage): MessageParam {
  switch (message.role) {
    case "user":
      return { role: "user", content: message.content };
    case "assistant":
      return {
        role: "assistant",
        content: [
          ...(message.content ? [{ type: "text" as const, text: message.content }] : []),
          ...(message.toolCalls ?? []).map((c) => ({
            type: "tool_use" as const,
            id: c.id,
            name: c.name,
            input: c.arguments,
          })),
        ],
      };
    case "tool":
      return {
        role: "user",
        content: message.results.map((r) => ({
          type: "tool_result" as const,
          tool_use_id: r.callId,
          content: r.content,
          ...(r.isError ? { is_error: true } : {}),
        })),
      };
  }
}
