/**
 * Runs a processor worker's backend (Part 2 of the guide): loads the class `processing_backend`
 * names, constructs it with `backend_config`, and calls `process` on the main thread or
 * `processSync` in the worker-thread pool.
 */
import { loadModuleRef } from "../config/module-ref.js";
import type { WorkerConfig } from "../config/types.js";
import { ErrorCode, errorMessage, isAbortError, LoomError } from "../errors.js";
import { callBackend } from "./backend-guard.js";
import type { ProcessingConfig, ProcessingResult, ProcessOptions } from "./processor.js";
import type { TaskAbort } from "./task-abort.js";
import { runInThread, ThreadTaskError } from "./thread-pool.js";

/** Options of {@link runProcessor}. */
export interface RunProcessorOptions {
  /** Stops the call: async backends receive its signal; a thread call is stopped. */
  abort?: TaskAbort;
  /**
   * Who holds the backend instance open (a dispatcher): {@link releaseProcessors} with the same
   * owner closes the instances no other owner uses. @default none — kept until {@link closeProcessors}
   */
  owner?: object;
}

interface AsyncBackend {
  process(
    payload: Record<string, unknown>,
    config: ProcessingConfig,
    options?: ProcessOptions,
  ): Promise<unknown>;
  close?(): Promise<void> | void;
}

type Loaded =
  | { kind: "async"; backend: AsyncBackend; className: string }
  | { kind: "sync"; className: string };

const cache = new Map<string, Promise<Loaded>>();
/** Backend cache key → the owners using that instance. */
const owners = new Map<string, Set<object>>();

/**
 * Runs the worker's processing backend on `payload` and returns its `{output, model_used}`.
 * The backend instance is cached per (config file, ref, backend_config). A class with a
 * `process` method (a {@link ProcessingBackend}) runs on the main thread and receives the signal;
 * a class with only `processSync` (a {@link SyncProcessingBackend}) runs in a pool thread.
 * The backend's second argument is the worker config as plain snake_case JSON, with the keys of
 * `backend_config` also copied to the top level when the worker config has no such key (the
 * guide's backends read `config["workspace_dir"]`).
 *
 * Throws LoomError `config_error` when the backend cannot be loaded or constructed,
 * `backend_error` when it throws (`cause` kept; `details.error_class` names the error class) or
 * returns something other than `{output: object, model_used?: string}`. Aborts pass through
 * unchanged (an AbortError).
 *
 * @example
 * const { output, model_used } = await runProcessor(worker, { file_ref: "doc.pdf" }, { signal });
 */
export async function runProcessor(
  config: WorkerConfig,
  payload: Record<string, unknown>,
  options: RunProcessorOptions = {},
): Promise<ProcessingResult> {
  const ref = config.processingBackend;
  if (!ref) {
    throw new LoomError(
      "config_error",
      `worker '${config.name}' is a processor but has no processing_backend ("<module>#<Export>")`,
      { details: { worker: config.name } },
    );
  }
  const { abort } = options;
  abort?.throwIfAborted();
  const loaded = await loadBackend(config, ref, options.owner);
  abort?.throwIfAborted();
  const plainConfig = processingConfig(config);
  let raw: unknown;
  try {
    if (loaded.kind === "async") {
      const { backend } = loaded;
      // The signal is made only if the backend reads it.
      const processOptions: ProcessOptions = abort
        ? {
            get signal() {
              return abort.signal;
            },
          }
        : {};
      raw = await callBackend(config.name, loaded.className, () =>
        backend.process(payload, plainConfig, processOptions),
      );
    } else {
      raw = await runInThread(
        {
          ref,
          ...(config.sourcePath === undefined ? {} : { fromFile: config.sourcePath }),
          init: config.backendConfig ?? {},
          method: "processSync",
          args: [payload, plainConfig],
        },
        abort?.signal,
      );
    }
  } catch (cause) {
    if (isAbortError(cause) || abort?.aborted) throw cause;
    if (cause instanceof ThreadTaskError && cause.phase === "load") {
      throw loadError(config, ref, `cannot be used in a worker thread: ${cause.message}`, cause);
    }
    throw backendError(config, loaded.className, cause);
  }
  return checkResult(config, loaded.className, raw);
}

/**
 * Releases what `owner` opened: each cached backend instance it used and no other owner uses is
 * closed (its `close()` called: DuckDB handles, files, connections) and forgotten, so a hot reload
 * that changed a `backend_config` leaves nothing of the old one behind.
 */
export async function releaseProcessors(owner: object): Promise<void> {
  const closing: Promise<Loaded>[] = [];
  for (const [key, users] of owners) {
    if (!users.delete(owner) || users.size > 0) continue;
    owners.delete(key);
    const entry = cache.get(key);
    cache.delete(key);
    if (entry !== undefined) closing.push(entry);
  }
  for (const entry of closing) {
    const loaded = await entry.catch(() => undefined);
    if (loaded?.kind === "async") await loaded.backend.close?.();
  }
}

/** Closes every cached async backend (calling its `close()`) and forgets all cached instances. */
export async function closeProcessors(): Promise<void> {
  const entries = [...cache.values()];
  cache.clear();
  owners.clear();
  for (const entry of entries) {
    const loaded = await entry.catch(() => undefined);
    if (loaded?.kind === "async") await loaded.backend.close?.();
  }
}

// One plain copy per loaded worker config: it is the same on every call.
const plainConfigs = new WeakMap<WorkerConfig, ProcessingConfig>();

/**
 * The worker config as the plain snake_case JSON a backend receives. Built once per config object
 * and shared by its calls, so it is deeply frozen: a backend that tries to change it fails loudly
 * instead of leaking state into the next task.
 */
export function processingConfig(config: WorkerConfig): ProcessingConfig {
  let plain = plainConfigs.get(config);
  if (!plain) {
    plain = toPlainConfig(config);
    plainConfigs.set(config, plain);
  }
  return plain;
}

function toPlainConfig(config: WorkerConfig): ProcessingConfig {
  const plain: ProcessingConfig = {};
  for (const [key, value] of Object.entries(config)) {
    if (value !== undefined) plain[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = value;
  }
  for (const [key, value] of Object.entries(config.backendConfig ?? {})) {
    if (!(key in plain)) plain[key] = value;
  }
  return deepFreeze(JSON.parse(JSON.stringify(plain)) as ProcessingConfig);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

// The backend cache key of each config object (it is the same on every call).
const backendKeys = new WeakMap<WorkerConfig, string>();

function loadBackend(config: WorkerConfig, ref: string, owner: object | undefined): Promise<Loaded> {
  const backendConfig = config.backendConfig ?? {};
  let key = backendKeys.get(config);
  if (key === undefined) {
    key = `${config.sourcePath ?? ""}\0${ref}\0${JSON.stringify(backendConfig)}`;
    backendKeys.set(config, key);
  }
  let entry = cache.get(key);
  if (!entry) {
    entry = construct(config, ref, backendConfig);
    cache.set(key, entry);
    const created = entry;
    entry.catch(() => {
      if (cache.get(key) === created) cache.delete(key);
    });
  }
  if (owner) {
    const users = owners.get(key) ?? new Set<object>();
    users.add(owner);
    owners.set(key, users);
  }
  return entry;
}

async function construct(
  config: WorkerConfig,
  ref: string,
  backendConfig: Record<string, unknown>,
): Promise<Loaded> {
  const exported = await loadModuleRef(ref, config.sourcePath);
  if (typeof exported !== "function" || typeof exported.prototype !== "object") {
    throw loadError(config, ref, `is not a class (got ${typeof exported})`);
  }
  const Ctor = exported as new (init: Record<string, unknown>) => unknown;
  const proto = Ctor.prototype as Record<string, unknown>;
  // Duck-typed on purpose: a backend module may import a different copy of the base classes
  // (dist/ versus src/, or another installed version), so `instanceof` is not reliable.
  if (typeof proto.process === "function" && !extendsSyncBase(Ctor)) {
    let backend: unknown;
    try {
      backend = new Ctor(backendConfig);
    } catch (cause) {
      throw loadError(
        config,
        ref,
        `could not be constructed with backend_config: ${errorMessage(cause)}`,
        cause,
      );
    }
    return { kind: "async", backend: backend as AsyncBackend, className: Ctor.name };
  }
  if (typeof proto.processSync === "function") return { kind: "sync", className: Ctor.name };
  throw loadError(
    config,
    ref,
    `is neither a ProcessingBackend (async process()) nor a SyncProcessingBackend (processSync())`,
  );
}

function extendsSyncBase(Ctor: object): boolean {
  for (let c: unknown = Ctor; typeof c === "function"; c = Object.getPrototypeOf(c)) {
    if (c.name === "SyncProcessingBackend") return true;
  }
  return false;
}

function loadError(config: WorkerConfig, ref: string, why: string, cause?: unknown): LoomError {
  const hash = ref.lastIndexOf("#");
  const details = hash > 0 ? { module: ref.slice(0, hash), export: ref.slice(hash + 1) } : { module: ref };
  return new LoomError("config_error", `worker '${config.name}': processing_backend '${ref}' ${why}`, {
    details: { worker: config.name, ref, ...details },
    cause,
  });
}

const PASSED_THROUGH: ReadonlySet<string> = new Set([
  ErrorCode.InvalidInput,
  ErrorCode.ConfigError,
  ErrorCode.WorkspaceError,
]);

/**
 * A backend's failure as a task error. A Loom error that blames the caller or the configuration
 * (a DuckDB query with an unknown filter field is `invalid_input`) keeps its code; anything else
 * the backend throws is a `backend_error`. Codes are read duck-typed: errors thrown in a worker
 * thread, or by another copy of Loom, are not `instanceof LoomError` here.
 */
function backendError(config: WorkerConfig, className: string, cause: unknown): LoomError {
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === "string" && PASSED_THROUGH.has(code)) {
    const details = (cause as { details?: Record<string, unknown> }).details ?? {};
    return new LoomError(code as ErrorCode, `worker '${config.name}': ${errorMessage(cause)}`, {
      details: { worker: config.name, ...details },
      cause,
    });
  }
  const errorClass = cause instanceof Error ? cause.name : typeof cause;
  const details = cause instanceof Error ? (cause as Error & { details?: unknown }).details : undefined;
  const original = typeof details === "object" && details !== null ? { error_details: details } : {};
  return new LoomError(
    "backend_error",
    `worker '${config.name}': backend ${className} failed: ${errorClass}: ${errorMessage(cause)}`,
    {
      category: "upstream",
      details: { worker: config.name, backend: className, error_class: errorClass, ...original },
      cause,
    },
  );
}

function checkResult(config: WorkerConfig, className: string, raw: unknown): ProcessingResult {
  const result = raw as { output?: unknown; model_used?: unknown } | null;
  const output = result?.output;
  if (typeof output !== "object" || output === null || Array.isArray(output)) {
    throw new LoomError(
      "backend_error",
      `worker '${config.name}': backend ${className} must return {output: {...}, model_used: "..."} (got output: ${
        Array.isArray(output) ? "array" : output === null ? "null" : typeof output
      })`,
      { category: "upstream", details: { worker: config.name, backend: className } },
    );
  }
  const modelUsed = typeof result?.model_used === "string" ? result.model_used : className;
  return { output: output as Record<string, unknown>, model_used: modelUsed };
}
