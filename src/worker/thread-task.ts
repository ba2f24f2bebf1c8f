/**
 * The entry module of the worker-thread pool (see thread-pool.ts). It runs inside a piscina
 * worker thread: it imports the module a ref names, constructs the class with its config (once
 * per thread, cached) and calls a synchronous method. Errors come back as plain data, because
 * custom error classes do not survive the structured clone between threads.
 */
import { loadModuleRef } from "../config/module-ref.js";
import { callsStartedSince, pendingCallMark } from "../workspace/pending-calls.js";

/** A call to run off the main thread. Everything in it must be structured-cloneable. */
export interface ThreadRequest {
  /** `"<module>#<Export>"` or a built-in dotted name. */
  ref: string;
  /** The config file the ref is relative to. */
  fromFile?: string;
  /** The constructor argument (`backend_config`, or a tool silo's `config`). */
  init: Record<string, unknown>;
  method: "processSync" | "executeSync";
  args: unknown[];
}

/** An error as plain data, with its cause chain. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  details?: Record<string, unknown>;
  cause?: SerializedError;
}

/** What a thread task answers: the method's return value, or the error and where it happened. */
export type ThreadReply =
  | { ok: true; value: unknown }
  | { ok: false; phase: "load" | "call"; error: SerializedError };

const instances = new Map<string, Promise<Record<string, unknown>>>();

/** Runs one request; never throws (piscina would lose the error's class and fields). */
export default async function runThreadTask(request: ThreadRequest): Promise<ThreadReply> {
  let instance: Record<string, unknown>;
  try {
    instance = await instanceFor(request);
  } catch (error) {
    return { ok: false, phase: "load", error: serializeError(error) };
  }
  const method = instance[request.method];
  if (typeof method !== "function") {
    const message = `'${request.ref}' has no method ${request.method}() (a ${instance.constructor?.name ?? "value"})`;
    return { ok: false, phase: "load", error: { name: "TypeError", message, code: "config_error" } };
  }
  const mark = pendingCallMark();
  try {
    const value: unknown = method.apply(instance, request.args);
    const misuse = await asyncMisuse(request, instance, value, mark);
    if (misuse) return { ok: false, phase: "call", error: misuse };
    return { ok: true, value };
  } catch (error) {
    return { ok: false, phase: "call", error: serializeError(error) };
  }
}

/**
 * A synchronous method that returned a promise, or left a `WorkspaceManager` call (e.g. an
 * un-awaited `writeJson`) running, would report success for work not done: that is an error
 * naming the method. The promises are settled first, so nothing is still writing when the task
 * fails.
 */
async function asyncMisuse(
  request: ThreadRequest,
  instance: Record<string, unknown>,
  value: unknown,
  mark: number,
): Promise<SerializedError | undefined> {
  const where = `${instance.constructor?.name ?? request.ref}.${request.method}()`;
  if (isPromiseLike(value)) {
    await Promise.resolve(value).catch(() => undefined);
    return {
      name: "TypeError",
      message: `${where} returned a Promise; a synchronous backend must return its result directly (use the ...Sync methods of WorkspaceManager, e.g. writeJsonSync, or make it an async ProcessingBackend with process())`,
    };
  }
  const pending = callsStartedSince(mark);
  if (pending.length === 0) return undefined;
  await Promise.all(pending.map((call) => call.settled));
  const methods = [...new Set(pending.map((call) => call.method))];
  return {
    name: "TypeError",
    message: `${where} returned while WorkspaceManager.${methods.join("(), ")}() was still running (it cannot be awaited there); use ${methods.map((m) => `${m}Sync()`).join(", ")} in a synchronous backend`,
  };
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as { then?: unknown }).then === "function"
  );
}

function instanceFor(request: ThreadRequest): Promise<Record<string, unknown>> {
  const key = `${request.fromFile ?? ""}\0${request.ref}\0${JSON.stringify(request.init)}`;
  let instance = instances.get(key);
  if (!instance) {
    instance = (async () => {
      const exported = await loadModuleRef(request.ref, request.fromFile);
      if (typeof exported !== "function") {
        throw Object.assign(new TypeError(`'${request.ref}' is not a class (got ${typeof exported})`), {
          code: "config_error",
        });
      }
      const Ctor = exported as new (init: Record<string, unknown>) => Record<string, unknown>;
      return new Ctor(request.init);
    })();
    instances.set(key, instance);
    instance.catch(() => instances.delete(key));
  }
  return instance;
}

/** Turns anything thrown into plain data, keeping `code`, `details` and up to 8 causes. */
export function serializeError(error: unknown, depth = 0): SerializedError {
  if (!(error instanceof Error)) return { name: "Error", message: String(error) };
  // A subclass that does not set `name` still reports its class name.
  const className = error.constructor?.name;
  const name = error.name === "Error" && className ? className : error.name;
  const out: SerializedError = { name, message: error.message };
  if (error.stack) out.stack = error.stack;
  const extra = error as Error & { code?: unknown; details?: unknown };
  if (typeof extra.code === "string") out.code = extra.code;
  if (typeof extra.details === "object" && extra.details !== null) {
    try {
      out.details = JSON.parse(JSON.stringify(extra.details)) as Record<string, unknown>;
    } catch {
      // Details that are not JSON are dropped rather than failing the reply.
    }
  }
  if (error.cause !== undefined && depth < 8) out.cause = serializeError(error.cause, depth + 1);
  return out;
}
