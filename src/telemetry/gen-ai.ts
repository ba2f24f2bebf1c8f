/**
 * Spans of model calls and tool executions, named and attributed after the OpenTelemetry GenAI
 * semantic conventions (`chat <model>`, `execute_tool <name>`, `gen_ai.*`). Prompts and replies
 * go in only with `LOOM_TRACE_CONTENT=1`.
 */
import type { BackendKind, LlmRequest, LlmResponse } from "../llm/backend.js";
import { type SpanHandle, startSpan, traceContentEnabled } from "./tracer.js";

/** Starts the span of one model call (`chat <model>`). */
export function startChatSpan(provider: BackendKind, request: LlmRequest): SpanHandle {
  const span = startSpan(`chat ${request.model}`, {
    "gen_ai.operation.name": "chat",
    "gen_ai.system": provider,
    "gen_ai.provider.name": provider,
    "gen_ai.request.model": request.model,
    "gen_ai.request.max_tokens": request.maxOutputTokens,
  });
  if (traceContentEnabled()) {
    span.setAttributes({
      "gen_ai.system_instructions": request.system,
      "gen_ai.input.messages": JSON.stringify(request.messages),
    });
  }
  return span;
}

/** Records the reply of a model call on its span and ends it. */
export function endChatSpan(span: SpanHandle, reply: LlmResponse): void {
  span.setAttributes({
    "gen_ai.response.model": reply.model,
    "gen_ai.usage.input_tokens": reply.usage.input,
    "gen_ai.usage.output_tokens": reply.usage.output,
    "gen_ai.response.finish_reasons": [reply.stopReason],
  });
  if (traceContentEnabled()) {
    span.setAttributes({
      "gen_ai.output.messages": JSON.stringify([
        { role: "assistant", content: reply.text, tool_calls: reply.toolCalls },
      ]),
    });
  }
  span.end();
}

/** Starts the span of one tool execution (`execute_tool <name>`). */
export function startToolSpan(name: string, callId: string): SpanHandle {
  return startSpan(`execute_tool ${name}`, {
    "gen_ai.operation.name": "execute_tool",
    "gen_ai.tool.name": name,
    "gen_ai.tool.call.id": callId,
  });
}
