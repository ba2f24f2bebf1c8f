/**
 * OpenAI-compatible servers through the official `openai` client (v6) with a base URL: OpenAI
 * itself, vLLM, LM Studio, llama.cpp server. Structured output uses
 * `response_format: { type: "json_schema" }`; tools use `tools` / `message.tool_calls` whose
 * arguments are JSON strings.
 */
import type OpenAI from "openai";
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from "openai/resources/chat/completions";
import {
  BackendKind,
  type LlmBackend,
  type LlmBackendOptions,
  type LlmMessage,
  type LlmRequest,
  type LlmResponse,
  type LlmToolCall,
} from "./backend.js";
import { baseUrlOf, functionTools, sdkClientOptions, toolArguments } from "./backend-helpers.js";
import { withRetries } from "./retry.js";

/** OpenAI's own API. */
export const DEFAULT_OPENAI_URL = "https://api.openai.com/v1";

/** The SDK refuses to start without a key; local servers (vLLM, LM Studio) ignore it. */
const PLACEHOLDER_KEY = "not-needed";

/**
 * An {@link LlmBackend} for any server speaking OpenAI's chat completions API.
 *
 * @example new OpenAIBackend({ baseUrl: "http://localhost:8000/v1" })
 */
export class OpenAIBackend implements LlmBackend {
  readonly kind = BackendKind.OpenAI;
  readonly url: string;
  #client: Promise<OpenAI> | undefined;
  readonly #options: LlmBackendOptions;

  constructor(options: LlmBackendOptions = {}) {
    this.url = baseUrlOf(options, DEFAULT_OPENAI_URL);
    this.#options = options;
  }

  /** The SDK client, imported on first use so a gateway that never calls OpenAI never loads it. */
  #sdk(): Promise<OpenAI> {
    const apiKey = this.#options.apiKey || PLACEHOLDER_KEY;
    this.#client ??= import("openai").then(
      ({ default: OpenAIClient }) => new OpenAIClient(sdkClientOptions(this.url, apiKey, this.#options)),
    );
    return this.#client;
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const tools = request.tools ?? [];
    const body: ChatCompletionCreateParamsNonStreaming = {
      model: request.model,
      messages: [
        ...(request.system ? [{ role: "system" as const, content: request.system }] : []),
        ...request.messages.flatMap(toOpenAI),
      ],
      // OpenAI's newer models reject max_tokens; compatible servers do not all know its successor.
      ...(this.url.startsWith(DEFAULT_OPENAI_URL)
        ? { max_completion_tokens: request.maxOutputTokens }
        : { max_tokens: request.maxOutputTokens }),
      ...(tools.length > 0 ? { tools: functionTools(tools) } : {}),
      ...(request.outputSchema
        ? {
            response_format: {
              type: "json_schema" as const,
              // strict mode demands every property be required and no extra keys; worker schemas
              // are written for validation, not for that, so the schema is a hint and ajv enforces it.
              json_schema: { name: "output", schema: request.outputSchema, strict: false },
            },
          }
        : {}),
    };
    const reply = await withRetries(
      this,
      async (signal) => (await this.#sdk()).chat.completions.create(body, { signal }),
      { policy: this.#options.retry, signal: request.signal, onRetry: request.onRetry },
    );
    const choice = reply.choices[0];
    const toolCalls: LlmToolCall[] = [];
    for (const call of choice?.message.tool_calls ?? []) {
      if (call.type !== "function") continue;
      toolCalls.push({
        id: call.id,
        name: call.function.name,
        arguments: toolArguments(call.function.arguments),
      });
    }
    return {
      text: choice?.message.content ?? "",
      toolCalls,
      usage: { input: reply.usage?.prompt_tokens ?? 0, output: reply.usage?.completion_tokens ?? 0 },
      model: reply.model || request.model,
      stopReason:
        toolCalls.length > 0
          ? "tool_calls"
          : choice?.finish_reason === "length"
            ? "length"
            : choice?.finish_reason === "stop"
              ? "stop"
              : "other",
    };
  }
}

function toOpenAI(message: LlmMessage): ChatCompletionMessageParam[] {
  switch (message.role) {
    case "user":
      return [{ role: "user", content: message.content }];
    case "assistant":
      return [
        {
          role: "assistant",
          content: message.content || null,
          ...(message.toolCalls?.length
            ? {
                tool_calls: message.toolCalls.map((c) => ({
                  id: c.id,
                  type: "function" as const,
                  function: { name: c.name, arguments: JSON.stringify(c.arguments) },
                })),
              }
            : {}),
        },
      ];
    case "tool":
      return message.results.map((r) => ({
        role: "tool" as const,
        tool_call_id: r.callId,
        content: r.content,
      }));
  }
}
