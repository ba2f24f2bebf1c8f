/**
 * The tracing seam (issue #17): Loom code starts spans through these functions only. The default
 * is a no-op that imports nothing; {@link enableTelemetry} (./enable.ts) installs the OpenTelemetry
 * implementation, so the SDK is loaded only when tracing is asked for.
 */

/** Attribute values a span takes; `undefined` values are skipped. */
export type SpanAttributes = Record<string, string | number | boolean | string[] | undefined>;

/** A W3C trace context as it travels in task messages (`TaskMessage.trace_context`). */
export interface TraceContext {
  traceparent: string;
  tracestate?: string;
}

/** A started span. Every method is safe to call after `end()` (it does nothing then). */
export interface SpanHandle {
  setAttributes(attributes: SpanAttributes): void;
  /** Marks the span failed (status ERROR) with a Loom error code and message. */
  recordError(code: string, message: string): void;
  end(): void;
  /** The span's context for a message to another process; undefined when tracing is off. */
  traceContext(): TraceContext | undefined;
}

/** What a span hangs under: a span of this process, or a context that came in a message. */
export type SpanParent = SpanHandle | TraceContext;

/** The implementation behind the seam. */
export interface Tracing {
  /** Starts a span under `parent`, or under the current span ({@link withSpan}) when absent. */
  startSpan(name: string, attributes?: SpanAttributes, parent?: SpanParent): SpanHandle;
  /** Runs `fn` with `span` as the current span (for spans started inside it). */
  withSpan<T>(span: SpanHandle, fn: () => T): T;
  /** The current span, if any. */
  currentSpan(): SpanHandle | undefined;
  /** Exports the spans still buffered and stops the exporter. */
  shutdown(): Promise<void>;
}

const NOOP_SPAN: SpanHandle = {
  setAttributes: () => {},
  recordError: () => {},
  end: () => {},
  traceContext: () => undefined,
};

const NOOP: Tracing = {
  startSpan: () => NOOP_SPAN,
  withSpan: (_span, fn) => fn(),
  currentSpan: () => undefined,
  shutdown: async () => {},
};

let tracing: Tracing = NOOP;

/** Whether a real tracer is installed. */
export function tracingEnabled(): boolean {
  return tracing !== NOOP;
}

/** Installs `implementation` (or the no-op again with undefined); returns the one it replaced. */
export function installTracing(implementation: Tracing | undefined): Tracing {
  const previous = tracing;
  tracing = implementation ?? NOOP;
  return previous;
}

/**
 * Starts a span; end it with `end()`.
 *
 * @example
 * const span = startSpan("pipeline.stage", { "loom.stage": name });
 * try { ... } finally { span.end(); }
 */
export function startSpan(name: string, attributes?: SpanAttributes, parent?: SpanParent): SpanHandle {
  return tracing.startSpan(name, attributes, parent);
}

/** Runs `fn` with `span` as the current span. */
export function withSpan<T>(span: SpanHandle, fn: () => T): T {
  return tracing.withSpan(span, fn);
}

/** The trace context of the current span, for a task message; undefined when tracing is off. */
export function currentTraceContext(): TraceContext | undefined {
  return tracing.currentSpan()?.traceContext();
}

/** Flushes and stops the installed tracer (a no-op when tracing is off). */
export async function shutdownTracing(): Promise<void> {
  await tracing.shutdown();
}

/** Whether prompts and completions may go into spans (`LOOM_TRACE_CONTENT=1`). */
export function traceContentEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return tracingEnabled() && (env.LOOM_TRACE_CONTENT === "1" || env.LOOM_TRACE_CONTENT === "true");
}
