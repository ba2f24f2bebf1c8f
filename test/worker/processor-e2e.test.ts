import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadWorkerConfig } from "../../src/config/index.js";
import { executeTask } from "../../src/worker/execute-task.js";
import { closeProcessors } from "../../src/worker/processor-runner.js";
import { closeThreadPool } from "../../src/worker/thread-pool.js";

// The guide's my_processor (Part 2, step 3) end to end: YAML → executeTask → input validation →
// SyncProcessingBackend in a worker thread → output validation. The only change to the guide's
// YAML is the backend reference, which names a JavaScript module instead of a Python class.

const backends = fileURLToPath(new URL("../fixtures/backends/", import.meta.url));

let dir: string;
let workspace: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "loom-proc-e2e-"));
  workspace = path.join(dir, "my-workspace");
  await mkdir(workspace);
  await writeFile(path.join(workspace, "scan.txt"), "Invoice 42: total 1,200 EUR\n");
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

afterAll(async () => {
  await closeProcessors();
  await closeThreadPool();
});

function myProcessor(backend = `${backends}my-backend.js#MyBackend`, extra = ""): string {
  return `name: "my_processor"
worker_kind: "processor"
processing_backend: "${backend}"
backend_config:
  workspace_dir: "${workspace}"
${extra}
input_schema:
  type: object
  required: [file_ref]
  properties:
    file_ref:
      type: string

output_schema:
  type: object
  required: [extracted_text]
  properties:
    extracted_text:
      type: string

timeout_seconds: 120
`;
}

async function load(yaml: string) {
  const file = path.join(dir, "my_processor.yaml");
  await writeFile(file, yaml);
  return loadWorkerConfig(file);
}

const task = (payload: Record<string, unknown>) => ({ task_id: "p1", worker_type: "my_processor", payload });

describe("my_processor end to end", () => {
  it("processor e2e: a valid task completes with the backend's output and model", async () => {
    const worker = await load(myProcessor());
    const result = await executeTask(task({ file_ref: "scan.txt" }), { worker });
    expect(result.error).toBeNull();
    expect(result.status).toBe("completed");
    expect(result.output).toEqual({ extracted_text: "Invoice 42: total 1,200 EUR" });
    expect(result.model_used).toBe("my-converter");
  });

  it("processor e2e: input that breaks input_schema fails with invalid_input", async () => {
    const worker = await load(myProcessor());
    const result = await executeTask(task({ file: "scan.txt" }), { worker });
    expect(result.error?.code).toBe("invalid_input");
    expect(result.error?.message).toContain("file_ref");
  });

  it("processor e2e: a ConversionError becomes a backend_error result naming the error class", async () => {
    const worker = await load(myProcessor());
    const result = await executeTask(task({ file_ref: "../../etc/passwd" }), { worker });
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("backend_error");
    expect(result.error?.message).toContain("Conversion failed");
    expect(result.error?.details?.error_class).toBe("ConversionError");
  });

  it("processor e2e: processor output is validated against output_schema", async () => {
    const worker = await load(myProcessor(`${backends}busy-backend.js#DuckSync`));
    const result = await executeTask(task({ file_ref: "scan.txt", value: 2 }), { worker });
    expect(result.error?.code).toBe("invalid_output");
    expect(result.error?.message).toContain("extracted_text");
  });

  it("processor e2e: a backend that cannot be loaded is a config_error naming module and export", async () => {
    const worker = await load(myProcessor(`${backends}my-backend.js#MyBakend`));
    const result = await executeTask(task({ file_ref: "scan.txt" }), { worker });
    expect(result.error?.code).toBe("config_error");
    expect(result.error?.message).toContain("MyBakend");
    expect(result.error?.message).toContain("my-backend.js");
  });

  it("processor e2e: a CPU-bound SyncProcessingBackend (~300 ms busy loop) leaves the event loop ticking", async () => {
    const busy = await load(myProcessor(`${backends}busy-backend.js#BusyBackend`));
    const worker = { ...busy, backendConfig: { busy_ms: 300 }, outputSchema: { type: "object" } };
    await executeTask(task({ file_ref: "warm-up" }), { worker }); // start a thread, load the module
    let ticks = 0;
    const timer = setInterval(() => {
      ticks += 1;
    }, 10);
    try {
      const result = await executeTask(task({ file_ref: "scan.txt" }), { worker });
      expect(result.error).toBeNull();
      expect(result.output).toMatchObject({ main_thread: false, spins: expect.any(Number) });
    } finally {
      clearInterval(timer);
    }
    // On the main thread the 300 ms loop would have let no tick fire until it ended.
    expect(ticks).toBeGreaterThanOrEqual(10);
  });

  it("processor e2e: timeout_seconds stops a runaway CPU-bound backend, and the next task still runs", async () => {
    const runaway = await load(myProcessor(`${backends}busy-backend.js#BusyBackend`));
    const worker = { ...runaway, backendConfig: { busy_ms: 120_000 }, timeoutSeconds: 1 };
    const result = await executeTask(task({ file_ref: "scan.txt" }), { worker });
    expect(result.error?.code).toBe("timeout");
    const next = await executeTask(task({ file_ref: "scan.txt" }), { worker: await load(myProcessor()) });
    expect(next.status).toBe("completed");
  });
});
