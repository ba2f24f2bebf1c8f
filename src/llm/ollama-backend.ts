/**
 * Ollama through the official `ollama` client. Structured output uses `format` set to the output
 * JSON Schema (https://ollama.com/blog/structured-outputs); tools use Ollama's native
 * `tools` / `message.tool_calls` (arguments are objects, calls carry no id).
 */
import type { Message, Ollama, Tool } from "ollama";
import {
  BackendKind,
  type LlmBackend,
  type LlmBackendOptions,
  type LlmMessage,
  type LlmRequest,
  type LlmResponse,
  newToolCallId,
} from "./backend.js";
import { baseUrlOf, functionTools, toolArguments } from "./backend-helpers.js";
import { withRetries } from "./retry.js";

/** Where Ollama listens unless OLLAMA_HOST or settings say otherwise. */
export const DEFAULT_OLLAMA_URL = "http://localhost:11434";

/**
 * An {@link LlmBackend} for a local or remote Ollama server.
 *
 * @example new OllamaBackend({ baseUrl: "http://localhost:11434" })
 */
export class OllamaBackend implements LlmBackend {
  readonly kind = BackendKind.Ollama;
  readonly url: string;
  readonly #options: LlmBackendOptions;

  constructor(options: LlmBackendOptions = {}) {
    this.url = baseUrlOf(options, DEFAULT_OLLAMA_URL);
    this.#options = options;
  }

  async complete(request: LlmRequest): Promise<LlmResponse> {
    const tools = request.tools ?? [];
    const messages: Message[] = [
      ...(request.system ? [{ role: "system", content: request.system }] : []),
      ...request.messages.flatMap(toOllama),
    ];
    const reply = await withRetries(
      this,
      async (signal) =>
        (await ollamaClient(this.url, signal, this.#options.fetch)).chat({
          model: request.model,
          stream: false,
          messages,
          ...(tools.length > 0 ? { tools: functionTools(tools) as Tool[] } : {}),
          // `format` constrains every token to the schema, which would keep a model from calling
          // tools; it is set only when no tools are offered.
          ...(request.outputSchema && tools.length === 0 ? { format: request.outputSchema } : {}),
          options: { num_predict: request.maxOutputTokens },
        }),
      { policy: this.#options.retry, signal: request.signal, onRetry: request.onRetry },
    );
    const toolCalls = (reply.message.tool_calls ?? []).map((call) => ({
      id: newToolCallId(),
      name: call.function.name,
      arguments: toolArguments(call.function.arguments),
    }));
    return {
      text: reply.message.content ?? "",
      toolCalls,
      usage: { input: reply.prompt_eval_count ?? 0, output: reply.eval_count ?? 0 },
      model: reply.model || request.model,
      stopReason: toolCalls.length > 0 ? "tool_calls" : reply.done_reason === "length" ? "length" : "stop",
    };
  }
}

let ollamaModule: Promise<typeof import("ollama")> | undefined;

/**
 * An `ollama` client bound to one call's AbortSignal: the client does not take a signal for
 * non-streamed requests, so it goes in through the `fetch` it is given. The `ollama` package is
 * imported on first use, so a process that never calls Ollama does not load it.
 */
export async function ollamaClient(
  host: string,
  signal: AbortSignal | undefined,
  baseFetch?: typeof fetch,
): Promise<Ollama> {
  ollamaModule ??= import("ollama");
  const { Ollama } = await ollamaModule;
  const inner = baseFetch ?? fetch;
  const bound: typeof fetch = (input, init) => inner(input, signal ? { ...init, signal } : init);
  return new Ollama({ host, fetch: bound });
}

function toOllama(message: LlmMessage): Message[] {
  switch (message.role) {
    case "user":
      return [{ role: "user", content: message.content }];
    case "assistant":
      return [
        {
          role: "assistant",
          content: message.content,
          ...(message.toolCalls?.length
            ? {
                tool_calls: message.toolCalls.map((c) => ({
                  function: { name: c.name, arguments: c.arguments },
                })),
              }
            : {}),
        },
      ];
    case "tool":
      return message.results.map((r) => ({ role: "tool", content: r.content, tool_name: r.name }));
  }
}
