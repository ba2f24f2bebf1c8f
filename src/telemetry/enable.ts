/**
 * Turning tracing on: by the standard OpenTelemetry environment (`OTEL_EXPORTER_OTLP_ENDPOINT`,
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, `OTEL_TRACES_EXPORTER=otlp`; `OTEL_SDK_DISABLED=true`
 * wins) or the `--otel` flag. The SDK is imported here, on demand only.
 */
import { installTracing, shutdownTracing, type Tracing, tracingEnabled } from "./tracer.js";

/** Options of {@link enableTelemetry}. */
export interface TelemetryOptions {
  /** @default process.env.OTEL_SERVICE_NAME, else "loom" */
  serviceName?: string;
  serviceVersion?: string;
  /** Where spans go. @default an OTLP/HTTP (JSON) exporter configured by the OTEL_EXPORTER_OTLP_* env */
  exporter?: import("@opentelemetry/sdk-trace").SpanExporter;
  /** Export each span as it ends (tests, short-lived processes). @default false: in batches */
  simple?: boolean;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
}

/**
 * Whether the environment (or a `--otel` flag) asks for tracing. `OTEL_SDK_DISABLED=true` turns
 * it off whatever else is set; `OTEL_TRACES_EXPORTER=none` too.
 */
export function telemetryRequested(env: NodeJS.ProcessEnv = process.env, flag = false): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === "true") return false;
  const exporters = env.OTEL_TRACES_EXPORTER?.split(",").map((e) => e.trim().toLowerCase()) ?? [];
  if (exporters.includes("none")) return false;
  if (flag) return true;
  return (
    exporters.includes("otlp") ||
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) ||
    Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim())
  );
}

/**
 * Loads the OpenTelemetry SDK and installs it behind the tracing seam; a second call does nothing.
 *
 * @example
 * if (telemetryRequested(process.env, flags.otel)) await enableTelemetry();
 * // ... work ...
 * await shutdownTelemetry(); // flushes the exporter
 */
export async function enableTelemetry(options: TelemetryOptions = {}): Promise<void> {
  if (tracingEnabled()) return;
  const env = options.env ?? process.env;
  const [{ createOtelTracing }, { resourceFromAttributes }] = await Promise.all([
    import("./otel.js"),
    import("@opentelemetry/resources"),
  ]);
  const exporter =
    options.exporter ?? new (await import("@opentelemetry/exporter-trace-otlp-http")).OTLPTraceExporter();
  const tracing: Tracing = await createOtelTracing({
    exporter,
    resource: resourceFromAttributes({
      "service.name": options.serviceName ?? (env.OTEL_SERVICE_NAME?.trim() || "loom"),
      ...(options.serviceVersion ? { "service.version": options.serviceVersion } : {}),
    }),
    ...(options.simple ? { simple: true } : {}),
    ...(options.serviceVersion ? { tracerVersion: options.serviceVersion } : {}),
  });
  installTracing(tracing);
}

/**
 * Exits with `code` once the buffered spans are flushed, waiting at most `withinMs`: for a command
 * that leaves through `process.exit` (Ctrl-C, a timeout) and so skips main's own flush.
 */
export function exitAfterFlush(code: number, withinMs = 2000): void {
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, withinMs).unref());
  void Promise.race([shutdownTelemetry().catch(() => {}), timeout]).finally(() => process.exit(code));
}

/** Flushes the spans still buffered and turns tracing off again (a no-op when it is off). */
export async function shutdownTelemetry(): Promise<void> {
  if (!tracingEnabled()) return;
  try {
    await shutdownTracing();
  } finally {
    installTracing(undefined);
  }
}
