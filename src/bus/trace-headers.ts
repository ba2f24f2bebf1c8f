/**
 * The W3C `traceparent` / `tracestate` NATS headers of a message that carries a trace context.
 * Loom itself reads the context from the message body (`trace_context`); the headers are for
 * NATS-side tools and other OpenTelemetry-instrumented consumers of the same subjects.
 */
import { headers, type MsgHdrs } from "@nats-io/transport-node";
import type { TraceContext } from "../telemetry/tracer.js";

/** `{ headers }` for a publish, or `{}` when there is no trace (tracing off). */
export function traceHeaders(context: TraceContext | undefined): { headers?: MsgHdrs } {
  if (!context) return {};
  const hdrs = headers();
  hdrs.set("traceparent", context.traceparent);
  if (context.tracestate) hdrs.set("tracestate", context.tracestate);
  return { headers: hdrs };
}
