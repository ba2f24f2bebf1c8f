/**
 * Containment of user code (processor backends, tool providers). A backend is user code: its
 * failure must fail its task, never the process serving every other task (issue #11).
 *
 * Each backend call runs in an AsyncLocalStorage scope that knows how to fail that call. While the
 * process guard is installed (`loom mcp` installs it), what escapes a backend is turned back into a
 * failure of the call that caused it — Node keeps the async context of a callback or promise into
 * the `uncaughtException` / `unhandledRejection` handlers:
 * - an unhandled rejection or a throw in a callback fails the call with `backend_error`;
 * - `process.exit()` called by a backend throws instead of exiting, so the call fails;
 * - anything else that escapes (outside every backend, or after its call ended) is logged and the
 *   process keeps serving.
 * CPU-bound `processSync`/`executeSync` run in worker threads, which contain spins and exits too.
 *
 * The scope store is enabled only while a backend call runs. On Node 20 an enabled
 * AsyncLocalStorage runs async hooks on every promise of the process, which cost a fast tool call
 * about 50 µs (issue #18). Disabling it leaves the scopes set on the timers, handles and promises
 * the calls created, so a stray they raise later still names its backend (the guard enables the
 * store again to read it) — except a promise first made after its call ended, while no backend
 * call ran: that rejection is logged without a backend's name.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { errorMessage, LoomError } from "../errors.js";

interface BackendScope {
  worker: string;
  backend: string;
  /** Fails the call; false when it had already ended. */
  fail(error: unknown): boolean;
}

const scopes = new AsyncLocalStorage<BackendScope>();
/** Backend calls running now; the store is disabled whenever this drops to 0. */
let running = 0;

/** What the process guard saw escape. */
export interface StrayError {
  kind: "uncaughtException" | "unhandledRejection";
  error: unknown;
  /** The worker and backend whose code raised it, when known. */
  worker?: string;
  backend?: string;
  /** True when the error failed the backend call that raised it. */
  failedCall: boolean;
}

/**
 * Runs `call` (one call into a backend or tool) in a scope that the process guard can fail it
 * through. Resolves or rejects like `call`, or rejects with the first stray error the call raises.
 *
 * @example
 * const raw = await callBackend("doc_extractor", "DocExtractorBackend", () => backend.process(payload, config));
 */
export function callBackend<T>(worker: string, backend: string, call: () => T | Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let ended = false;
    running += 1;
    const end = (): boolean => {
      if (ended) return false;
      ended = true;
      running -= 1;
      if (running === 0) scopes.disable();
      return true;
    };
    const scope: BackendScope = {
      worker,
      backend,
      fail: (error) => {
        if (!end()) return false;
        reject(error);
        return true;
      },
    };
    scopes.run(scope, () => {
      try {
        Promise.resolve(call()).then(
          (value) => end() && resolve(value),
          (error: unknown) => end() && reject(error),
        );
      } catch (error) {
        if (end()) reject(error);
      }
    });
  });
}

/** Options of {@link installProcessGuard}. */
export interface ProcessGuardOptions {
  /** Called for every error that escaped; log it. */
  onStray(stray: StrayError): void;
}

let installed: { uninstall(): void; count: number } | undefined;

/**
 * Makes the process survive what user code lets escape (see the module comment). Install it in a
 * long-running server; `loom mcp` does. Library users of `createServer` who run their own process
 * call it themselves. Returns the function that uninstalls it; nested installs are counted.
 */
export function installProcessGuard(options: ProcessGuardOptions): () => void {
  if (installed) {
    installed.count++;
  } else {
    installed = { uninstall: install(options), count: 1 };
  }
  let done = false;
  return () => {
    if (done || !installed) return;
    done = true;
    if (--installed.count === 0) {
      installed.uninstall();
      installed = undefined;
    }
  };
}

const NO_SCOPE: BackendScope = { worker: "", backend: "", fail: () => false };

/**
 * The backend call whose code is running now, if any — also after the calls ended and the store
 * was disabled: running a scope enables the store again, which reads the scope its callback or
 * promise was created under.
 */
function currentScope(): BackendScope | undefined {
  if (running > 0) return scopes.getStore();
  scopes.run(NO_SCOPE, () => {});
  const scope = scopes.getStore();
  scopes.disable();
  return scope;
}

function install(options: ProcessGuardOptions): () => void {
  const realExit = process.exit;
  const guardedExit = (code?: number | string | null): never => {
    const scope = currentScope();
    if (scope) {
      throw new LoomError(
        "backend_error",
        `backend ${scope.backend} of worker '${scope.worker}' called process.exit(${code ?? ""}); ` +
          "a backend must throw or return an error instead",
        { category: "upstream", details: { worker: scope.worker, backend: scope.backend, exit_code: code } },
      );
    }
    return realExit.call(process, code);
  };
  const handle = (kind: StrayError["kind"]) => (error: unknown) => {
    const scope = currentScope();
    const failedCall = scope?.fail(strayFailure(kind, scope, error)) ?? false;
    options.onStray({
      kind,
      error,
      failedCall,
      ...(scope ? { worker: scope.worker, backend: scope.backend } : {}),
    });
  };
  const onException = handle("uncaughtException");
  const onRejection = handle("unhandledRejection");
  process.exit = guardedExit as typeof process.exit;
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onRejection);
  return () => {
    if (process.exit === guardedExit) process.exit = realExit;
    process.off("uncaughtException", onException);
    process.off("unhandledRejection", onRejection);
  };
}

function strayFailure(kind: StrayError["kind"], scope: BackendScope, error: unknown): LoomError {
  const what = kind === "unhandledRejection" ? "left a promise rejection unhandled" : "threw in a callback";
  return new LoomError("backend_error", `backend ${scope.backend} ${what}: ${errorMessage(error)}`, {
    category: "upstream",
    details: { worker: scope.worker, backend: scope.backend, stray: kind },
    cause: error,
  });
}
