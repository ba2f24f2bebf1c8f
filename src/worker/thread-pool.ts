/**
 * One shared worker-thread pool (piscina) for synchronous, CPU-bound calls:
 * `SyncProcessingBackend.processSync` and `SyncToolProvider.executeSync`. The pool is created on
 * first use and closed with {@link closeThreadPool}; idle threads exit on their own.
 */
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Piscina } from "piscina";
import { LoomError } from "../errors.js";
import type { SerializedError, ThreadReply, ThreadRequest } from "./thread-task.js";

export type { ThreadRequest } from "./thread-task.js";

/** Idle threads exit after this long, so a quiet process holds no threads. */
const IDLE_TIMEOUT_MS = 30_000;

let pool: Piscina<ThreadRequest, ThreadReply> | undefined;

/**
 * An error thrown inside a pool thread, rebuilt on the main thread. `name` is the original class
 * name (e.g. `ConversionError`), `code` and `details` are kept when the original had them, and
 * `cause` is the rebuilt cause chain. `phase` says whether loading/constructing the class failed
 * (`load`) or the method itself threw (`call`).
 */
export class ThreadTaskError extends Error {
  readonly phase: "load" | "call";
  readonly code: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(phase: "load" | "call", error: SerializedError) {
    super(error.message, error.cause ? { cause: rebuild(error.cause) } : undefined);
    this.name = error.name;
    this.phase = phase;
    this.code = error.code;
    this.details = error.details;
    if (error.stack) this.stack = error.stack;
  }
}

/**
 * Runs `new (export named by ref)(init)[method](...args)` in a pool thread and returns the
 * result. The thread imports the module itself (so the class must be a named export of a module
 * file) and caches the instance per (fromFile, ref, init). Aborting `signal` rejects with an
 * AbortError and stops the thread running the call.
 *
 * Throws {@link ThreadTaskError} when the class cannot be loaded or the method throws.
 *
 * @example
 * await runInThread({ ref: "./backends/ocr.js#Ocr", fromFile: yamlPath, init: {}, method: "processSync", args: [payload, config] });
 */
export async function runInThread(
  request: {
    ref: string;
    fromFile?: string;
    init: Record<string, unknown>;
    method: "processSync" | "executeSync";
    args: unknown[];
  },
  signal?: AbortSignal,
): Promise<unknown> {
  const task: ThreadRequest = {
    ref: request.ref,
    init: request.init,
    method: request.method,
    args: request.args,
    ...(request.fromFile === undefined ? {} : { fromFile: request.fromFile }),
  };
  const reply = await (await getPool()).run(task, signal ? { signal } : {});
  if (reply.ok) return reply.value;
  throw new ThreadTaskError(reply.phase, reply.error);
}

/** Closes the shared pool (waiting for running calls). The next call creates a new one. */
export async function closeThreadPool(): Promise<void> {
  const current = pool;
  pool = undefined;
  await current?.close();
}

/** The number of threads the pool may run at once: the machine's cores, at least 2. */
export function threadPoolSize(): number {
  return Math.max(2, availableParallelism());
}

let piscina: Promise<typeof Piscina> | undefined;

/** The pool, created on first use; `piscina` itself is imported then, not when this loads. */
async function getPool(): Promise<Piscina<ThreadRequest, ThreadReply>> {
  piscina ??= import("piscina").then((m) => m.Piscina);
  const PiscinaPool = await piscina;
  pool ??= new PiscinaPool<ThreadRequest, ThreadReply>({
    filename: threadTaskFile(),
    minThreads: 0,
    maxThreads: threadPoolSize(),
    idleTimeout: IDLE_TIMEOUT_MS,
  });
  return pool;
}

/**
 * The compiled thread entry. Worker threads load plain Node modules, so when this file runs as
 * TypeScript source (vitest, tsx) the pool uses the build output in `dist/worker/` instead.
 */
function threadTaskFile(): string {
  const here = fileURLToPath(import.meta.url);
  const file = here.endsWith(".ts")
    ? path.resolve(path.dirname(here), "../../dist/worker/thread-task.js")
    : path.join(path.dirname(here), "thread-task.js");
  if (!existsSync(file)) {
    throw new LoomError("internal", `worker-thread entry not found: ${file} (run \`npm run build\` first)`, {
      category: "internal",
      details: { file },
    });
  }
  return pathToFileURL(file).href;
}

function rebuild(error: SerializedError): Error {
  return new ThreadTaskError("call", error);
}
