/**
 * The OpenTelemetry implementation of the tracing seam. Only {@link enableTelemetry} imports this
 * file (dynamically), so the SDK stays unloaded while tracing is off. Parents are passed
 * explicitly (an AsyncLocalStorage holds the current span), so no global context manager is
 * needed; trace contexts in task messages use the W3C `traceparent` format.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import {
  type Attributes,
  type Context,
  createTraceState,
  context as otelContext,
  type Span,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import type { SpanExporter } from "@opentelemetry/sdk-trace";
import { BatchSpanProcessor, SimpleSpanProcessor, TracerProvider } from "@opentelemetry/sdk-trace";
import type { SpanAttributes, SpanHandle, SpanParent, TraceContext, Tracing } from "./tracer.js";

/** Options of {@link createOtelTracing}. */
export interface OtelTracingOptions {
  exporter: SpanExporter;
  /** Resource attributes (`service.name`, ...). */
  resource: import("@opentelemetry/resources").Resource;
  /** Export each span as it ends instead of in batches (tests). @default false */
  simple?: boolean;
  /** @default "loom" */
  tracerName?: string;
  tracerVersion?: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

class OtelSpan implements SpanHandle {
  #ended = false;
  constructor(readonly span: Span) {}

  setAttributes(attributes: SpanAttributes): void {
    if (!this.#ended) this.span.setAttributes(defined(attributes));
  }

  recordError(code: string, message: string): void {
    if (this.#ended) return;
    this.span.setAttributes({ "error.type": code });
    this.span.setStatus({ code: SpanStatusCode.ERROR, message: `${code}: ${message}` });
  }

  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.span.end();
  }

  traceContext(): TraceContext | undefined {
    const { traceId, spanId, traceFlags, traceState } = this.span.spanContext();
    const flags = (traceFlags & 0xff).toString(16).padStart(2, "0");
    const state = traceState?.serialize();
    return { traceparent: `00-${traceId}-${spanId}-${flags}`, ...(state ? { tracestate: state } : {}) };
  }
}

/** Builds the tracing implementation on a fresh TracerProvider (not registered globally). */
export async function createOtelTracing(options: OtelTracingOptions): Promise<Tracing> {
  const processor = options.simple
    ? new SimpleSpanProcessor({ exporter: options.exporter })
    : new BatchSpanProcessor({ exporter: options.exporter });
  const provider = new TracerProvider({ resource: options.resource, spanProcessors: [processor] });
  const tracer: Tracer = provider.getTracer(options.tracerName ?? "loom", options.tracerVersion);
  const current = new AsyncLocalStorage<OtelSpan>();
  let stopped = false;
  return {
    startSpan(name, attributes, parent) {
      const span = tracer.startSpan(
        name,
        { attributes: defined(attributes ?? {}) },
        parentContext(parent ?? current.getStore()),
      );
      return new OtelSpan(span);
    },
    withSpan(span, fn) {
      return span instanceof OtelSpan ? current.run(span, fn) : fn();
    },
    currentSpan: () => current.getStore(),
    async shutdown() {
      if (stopped) return;
      stopped = true;
      await provider.shutdown();
    },
  };
}

function parentContext(parent: SpanParent | undefined): Context {
  const root = otelContext.active();
  if (parent === undefined) return root;
  if (parent instanceof OtelSpan) return trace.setSpan(root, parent.span);
  if (!("traceparent" in parent)) return root;
  const match = TRACEPARENT.exec(parent.traceparent);
  if (!match || /^0+$/.test(match[1]!) || /^0+$/.test(match[2]!)) return root;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  return trace.setSpanContext(root, {
    traceId,
    spanId,
    traceFlags: Number.parseInt(flags, 16),
    isRemote: true,
    ...(parent.tracestate ? { traceState: createTraceState(parent.tracestate) } : {}),
  });
}

function defined(attributes: SpanAttributes): Attributes {
  const out: Attributes = {};
  for (const [key, value] of Object.entries(attributes)) if (value !== undefined) out[key] = value;
  return out;
}
