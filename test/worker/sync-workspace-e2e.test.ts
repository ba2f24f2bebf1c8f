import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadWorkerConfig } from "../../src/config/index.js";
import { executeTask } from "../../src/worker/execute-task.js";
import { closeProcessors } from "../../src/worker/processor-runner.js";
import { closeThreadPool } from "../../src/worker/thread-pool.js";

// Guide Part 6, step 3: a SyncProcessingBackend (in a worker thread) that writes its result
// through WorkspaceManager. processSync cannot await, so it uses the ...Sync methods; a promise
// returned or left running by processSync is a backend_error, never a success without a file.

const backends = fileURLToPath(new URL("../fixtures/backends/", import.meta.url));

let dir: string;
let workspace: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "loom-sync-ws-"));
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

async function load(yaml: string) {
  const file = path.join(dir, "part6_processor.yaml");
  await writeFile(file, yaml);
  return loadWorkerConfig(file);
}

const task = (payload: Record<string, unknown>) => ({
  task_id: "p6",
  worker_type: "part6_processor",
  payload,
});

describe("guide Part 6: a SyncProcessingBackend writing through WorkspaceManager", () => {
  const part6 = (exportName: string) => `name: "part6_processor"
worker_kind: "processor"
processing_backend: "${backends}part6-backend.js#${exportName}"
workspace_dir: "${workspace}"
input_schema:
  type: object
  required: [file_ref]
  properties:
    file_ref: { type: string }
output_schema:
  type: object
  required: [file_ref, status]
timeout_seconds: 30
`;

  it("processor e2e: the Part 6 example (processSync + writeJsonSync) runs as written and the file exists", async () => {
    const worker = await load(part6("MyBackend"));
    const result = await executeTask(task({ file_ref: "scan.txt" }), { worker });
    expect(result.error).toBeNull();
    expect(result.output).toEqual({ file_ref: "result.json", status: "done" });
    expect(JSON.parse(await readFile(path.join(workspace, "result.json"), "utf8"))).toEqual({
      source: "scan.txt",
      words: 3,
    });
  });

  it("processor e2e: an un-awaited writeJson in processSync is a backend_error naming both methods, not a success", async () => {
    const worker = await load(part6("UnawaitedWrite"));
    const result = await executeTask(task({ file_ref: "scan.txt" }), { worker });
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("backend_error");
    expect(result.error?.message).toContain("UnawaitedWrite.processSync()");
    expect(result.error?.message).toContain("writeJson");
    expect(result.error?.message).toContain("writeJsonSync()");
  });

  it("processor e2e: a processSync that returns a promise is a backend_error naming the method", async () => {
    const worker = await load(part6("AsyncProcessSync"));
    const result = await executeTask(task({ file_ref: "scan.txt" }), { worker });
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("backend_error");
    expect(result.error?.message).toContain("AsyncProcessSync.processSync() returned a Promise");
  });
});
