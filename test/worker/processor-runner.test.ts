import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WorkerConfig } from "../../src/config/types.js";
import { isAbortError, LoomError } from "../../src/errors.js";
import { closeProcessors, processingConfig, runProcessor } from "../../src/worker/processor-runner.js";
import { TaskAbort } from "../../src/worker/task-abort.js";
import { closeThreadPool } from "../../src/worker/thread-pool.js";
import { workerConfig } from "../fixtures/worker-config.js";

// Module refs resolve relative to this (not necessarily existing) config file.
const sourcePath = fileURLToPath(new URL("../fixtures/backends/my_processor.yaml", import.meta.url));

let workspace: string;

beforeEach(async () => {
  workspace = await mkdtemp(path.join(tmpdir(), "loom-proc-"));
  await mkdir(path.join(workspace, "ws"));
  await writeFile(path.join(workspace, "ws", "doc.txt"), "Extracted body text\n");
  await writeFile(path.join(workspace, "secret.txt"), "TOP SECRET");
});

afterEach(async () => {
  await rm(workspace, { recursive: true, force: true });
});

afterAll(async () => {
  await closeProcessors();
  await closeThreadPool();
});

/** The guide's my_processor (Part 2, step 3), with a JavaScript module ref. */
function worker(overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  return workerConfig({
    name: "my_processor",
    workerKind: "processor",
    processingBackend: "./my-backend.js#MyBackend",
    backendConfig: { workspace_dir: path.join(workspace, "ws") },
    inputSchema: { type: "object", required: ["file_ref"], properties: { file_ref: { type: "string" } } },
    outputSchema: {
      type: "object",
      required: ["extracted_text"],
      properties: { extracted_text: { type: "string" } },
    },
    timeoutSeconds: 120,
    sourcePath,
    ...overrides,
  });
}

async function failure(config: WorkerConfig, payload: Record<string, unknown> = {}): Promise<LoomError> {
  const error = await runProcessor(config, payload).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LoomError);
  return error as LoomError;
}

describe("runProcessor: the guide's my_processor (SyncProcessingBackend)", () => {
  it("processor: processSync reads the workspace file via config.workspace_dir and returns its output", async () => {
    const result = await runProcessor(worker(), { file_ref: "doc.txt" });
    expect(result).toEqual({ output: { extracted_text: "Extracted body text" }, model_used: "my-converter" });
  });

  it("processor: backend_config reaches the constructor in the worker thread", async () => {
    const config = worker({ backendConfig: { workspace_dir: path.join(workspace, "ws"), prefix: ">> " } });
    const result = await runProcessor(config, { file_ref: "doc.txt" });
    expect(result.output.extracted_text).toBe(">> Extracted body text");
  });

  it("processor: a BackendError subclass becomes backend_error keeping its class and cause chain", async () => {
    const error = await failure(worker(), { file_ref: "missing.txt" });
    expect(error.code).toBe("backend_error");
    expect(error.details.error_class).toBe("ConversionError");
    expect(error.message).toContain("Conversion failed");
    const cause = error.cause as Error;
    expect(cause.name).toBe("ConversionError");
    expect((cause.cause as Error).message).toContain("ENOENT");
  });

  it("processor: WorkspaceManager in a backend refuses traversal, and the task fails", async () => {
    for (const ref of ["../secret.txt", "/etc/passwd", "..\\secret.txt"]) {
      const error = await failure(worker(), { file_ref: ref });
      expect(error.code).toBe("backend_error");
      const workspaceError = (error.cause as Error).cause as Error & { code?: string };
      expect(workspaceError.code).toBe("workspace_error");
      expect(workspaceError.message).toContain("refused");
    }
  });

  it("processor: a duck-typed class with only processSync runs in a thread too", async () => {
    const config = worker({ processingBackend: "./busy-backend.js#DuckSync", backendConfig: { factor: 3 } });
    const result = await runProcessor(config, { value: 7 });
    expect(result).toEqual({ output: { value: 21, main_thread: false }, model_used: "duck" });
  });

  it("processor: a plain error thrown in the thread is a backend_error naming its class", async () => {
    const error = await failure(worker({ processingBackend: "./busy-backend.js#ExplodingSync" }));
    expect(error.code).toBe("backend_error");
    expect(error.details.error_class).toBe("TypeError");
    expect(error.message).toContain("boom in thread");
  });

  it("processor: aborting stops a CPU-bound call in its thread", async () => {
    const abort = new TaskAbort();
    const config = worker({
      processingBackend: "./busy-backend.js#BusyBackend",
      backendConfig: { busy_ms: 60_000 },
    });
    const pending = runProcessor(config, {}, { abort });
    setTimeout(() => abort.abort(), 50);
    expect(isAbortError(await pending.catch((e: unknown) => e))).toBe(true);
  });
});

describe("runProcessor: async ProcessingBackend", () => {
  const upper = (backendConfig: Record<string, unknown> = {}) =>
    worker({ name: "upper", processingBackend: "./async-backend.js#UpperBackend", backendConfig });

  it("processor: process gets the payload and the worker config as snake_case JSON", async () => {
    const result = await runProcessor(upper({ suffix: "!", region: "eu" }), { text: "hello" });
    expect(result.model_used).toBe("upper-v1");
    expect(result.output).toMatchObject({ text: "HELLO!", worker: "upper", region: "eu" });
    const plain = processingConfig(upper({ region: "eu" }));
    expect(plain).toMatchObject({
      name: "upper",
      worker_kind: "processor",
      max_input_tokens: 4000,
      region: "eu",
    });
    expect(plain.backend_config).toEqual({ region: "eu" });
  });

  it("processor: a backend that changes the shared config fails, and the next task sees it unchanged", async () => {
    const config = upper({ region: "eu" });
    await expect(runProcessor(config, { text: "a", set_region: "us" })).rejects.toMatchObject({
      code: "backend_error",
    });
    const next = await runProcessor(config, { text: "b" });
    expect(next.output).toMatchObject({ region: "eu" });
  });

  it("processor: the instance is cached per backend_config", async () => {
    const first = await runProcessor(upper({ suffix: "?" }), { text: "a" });
    const second = await runProcessor(upper({ suffix: "?" }), { text: "b" });
    expect(second.output.constructions).toBe(first.output.constructions);
    const other = await runProcessor(upper({ suffix: "." }), { text: "c" });
    expect(other.output.constructions).toBe((first.output.constructions as number) + 1);
  });

  it("processor: a BackendError subclass keeps its class, details and cause", async () => {
    const error = await failure(upper(), { text: "zz", fail: true });
    expect(error.code).toBe("backend_error");
    expect(error.details).toMatchObject({ error_class: "LookupError", error_details: { key: "zz" } });
    const cause = error.cause as Error;
    expect(cause.name).toBe("LookupError");
    expect(cause.cause).toBeInstanceOf(RangeError);
  });

  it("processor: a result without an output object is a backend_error", async () => {
    const error = await failure(upper(), { text: "x", wrong_shape: true });
    expect(error.code).toBe("backend_error");
    expect(error.message).toContain("{output: {...}");
  });

  it("processor: the abort signal reaches an async backend", async () => {
    const config = worker({ processingBackend: "./async-backend.js#WaitingBackend", backendConfig: {} });
    const abort = new TaskAbort();
    const loaded = await runProcessor(config, {});
    expect(loaded.output).toEqual({ had_signal: false });
    const pending = runProcessor(config, {}, { abort });
    setTimeout(() => abort.abort(), 20);
    const error = await pending.catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    expect((error as Error).message).toBe("WaitingBackend saw the abort");
  });

  it("processor: an already aborted signal stops the call before the backend runs", async () => {
    const config = worker({ name: "upper", processingBackend: "./async-backend.js#UpperBackend" });
    const abort = new TaskAbort();
    abort.abort();
    const error = await runProcessor(config, { text: "x" }, { abort }).catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
  });
});

describe("runProcessor: backends that cannot be loaded", () => {
  it.each([
    ["./no-such-file.js#MyBackend", "no-such-file.js"],
    ["./async-backend.js#Missing", "has no export 'Missing'"],
    ["./async-backend.js#NotABackend", "neither a ProcessingBackend"],
    ["./async-backend.js#PickyBackend", "backend_config.table is required"],
    ["mypackage.backends.MyBackend", "mypackage.backends.MyBackend"],
  ])("processor: %s is a config_error naming the module and export", async (ref, message) => {
    const error = await failure(worker({ processingBackend: ref, backendConfig: {} }));
    expect(error.code).toBe("config_error");
    expect(error.message).toContain(message);
  });

  it("processor: a processor without processing_backend is a config_error", async () => {
    const { processingBackend: _unused, ...config } = worker();
    const error = await failure(config);
    expect(error.code).toBe("config_error");
    expect(error.message).toContain("processing_backend");
  });
});
