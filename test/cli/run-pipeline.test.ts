import { spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { Command } from "commander";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { registerRunPipeline } from "../../src/cli/run-pipeline.js";
import type { PipelineResult } from "../../src/pipeline/index.js";

/** Processor backends (plain JS, duck-typed), so the pipeline runs for real without an LLM. */
const BACKENDS = `
export class DocExtractor {
  async process(payload) {
    if (payload.file_ref === "missing.pdf") throw new Error("no such file: missing.pdf");
    return { output: { text_preview: "Loom was founded in 2024.", page_count: 3, needs_ocr: false }, model_used: "extractor" };
  }
}
export class DocClassifier {
  async process(payload) {
    return { output: { label: payload.page_count > 2 ? "report" : "memo" }, model_used: "classifier" };
  }
}
export class Waiter {
  process(payload, config, options) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => resolve({ output: { waited: true }, model_used: "waiter" }), 60000);
      options?.signal?.addEventListener("abort", () => {
        clearTimeout(timer);
        reject(options.signal.reason);
      });
    });
  }
}
export class EntityExtractor {
  async process(payload) {
    return { output: { entities: payload.text.match(/[A-Z][a-z]+/g) ?? [] }, model_used: "entities" };
  }
}
`;

function worker(name: string, backend: string, input: string[], output: string[]): string {
  const schema = (fields: string[]) =>
    fields.length === 0
      ? ["  type: object"]
      : [
          "  type: object",
          `  required: [${fields.join(", ")}]`,
          "  properties:",
          ...fields.map((f) => `    ${f}: {}`),
        ];
  return [
    `name: "${name}"`,
    `worker_kind: "processor"`,
    `processing_backend: "../backends/docs.js#${backend}"`,
    "input_schema:",
    ...schema(input),
    "output_schema:",
    ...schema(output),
    "",
  ].join("\n");
}

/** The guide's analysis_pipeline, as written in Part 3. */
const ANALYSIS_PIPELINE = `name: "analysis_pipeline"
timeout_seconds: 300

pipeline_stages:
  - name: "extract"
    worker_type: "doc_extractor"
    tier: "local"
    input_mapping:
      file_ref: "goal.context.file_ref"

  - name: "classify"
    worker_type: "doc_classifier"
    tier: "local"
    input_mapping:
      text_preview: "extract.output.text_preview"
      page_count: "extract.output.page_count"

  - name: "summarize"
    worker_type: "entity_extractor"
    tier: "local"
    input_mapping:
      text: "extract.output.text_preview"
`;

let root: string;
let pipelineFile: string;
let stdout: string;
let stderr: string;

async function loom(...args: string[]): Promise<{ code: number; result?: PipelineResult }> {
  stdout = "";
  stderr = "";
  vi.spyOn(process.stdout, "write").mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  vi.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  const program = new Command().exitOverride();
  registerRunPipeline(program.command("run"));
  try {
    await program.parseAsync(["run", "pipeline", ...args], { from: "user" });
  } finally {
    vi.restoreAllMocks();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { code, result: stdout ? (JSON.parse(stdout) as PipelineResult) : undefined };
}

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), "loom-run-pipeline-"));
  const configs = path.join(root, "configs");
  await mkdir(path.join(configs, "orchestrators"), { recursive: true });
  await mkdir(path.join(configs, "workers"), { recursive: true });
  await mkdir(path.join(configs, "backends"), { recursive: true });
  await writeFile(path.join(configs, "backends", "docs.js"), BACKENDS);
  const workers = path.join(configs, "workers");
  await writeFile(
    path.join(workers, "doc_extractor.yaml"),
    worker("doc_extractor", "DocExtractor", ["file_ref"], ["text_preview", "page_count"]),
  );
  await writeFile(
    path.join(workers, "doc_classifier.yaml"),
    worker("doc_classifier", "DocClassifier", ["text_preview", "page_count"], ["label"]),
  );
  await writeFile(
    path.join(workers, "entity_extractor.yaml"),
    worker("entity_extractor", "EntityExtractor", ["text"], ["entities"]),
  );
  await writeFile(path.join(workers, "waiter.yaml"), worker("waiter", "Waiter", [], ["waited"]));
  await writeFile(
    path.join(configs, "orchestrators", "waiting.yaml"),
    'name: "waiting"\npipeline_stages:\n  - name: "wait"\n    worker_type: "waiter"\n    input_mapping: {}\n',
  );
  pipelineFile = path.join(configs, "orchestrators", "analysis_pipeline.yaml");
  await writeFile(pipelineFile, ANALYSIS_PIPELINE);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

afterEach(() => {
  process.exitCode = undefined;
});

describe("loom run pipeline", () => {
  it("runs the guide's analysis_pipeline with workers found beside the pipeline's folder", async () => {
    const { code, result } = await loom("--config", pipelineFile, "--context", "file_ref=report.pdf");
    expect(code).toBe(0);
    expect(result?.status).toBe("completed");
    expect(result?.stages.extract?.output).toMatchObject({ page_count: 3 });
    expect(result?.stages.classify?.output).toEqual({ label: "report" });
    expect(result?.stages.summarize?.output).toEqual({ entities: ["Loom"] });
    expect(stderr).toMatch(/^extract\s+completed\s+\d+ms → \d+ms/m);
    expect(stderr).toMatch(/^classify\s+completed/m);
    expect(stderr).toContain(`goal ${result?.goal_id}: completed`);
    expect(stdout).not.toContain("completed in");
  });

  it("takes a whole goal as JSON and an explicit workers folder", async () => {
    const { code, result } = await loom(
      "--config",
      pipelineFile,
      "--goal",
      '{"goal_id": "g-42", "instruction": "Analyse", "context": {"file_ref": "report.pdf"}}',
      "--workers",
      path.join(root, "configs", "workers"),
      "--quiet",
    );
    expect(code).toBe(0);
    expect(result?.goal_id).toBe("g-42");
    expect(stderr).not.toContain("[1/3]");
  });

  it("exits 1 and prints the failed result when a stage fails", async () => {
    const { code, result } = await loom("--config", pipelineFile, "--context", "file_ref=missing.pdf");
    expect(code).toBe(1);
    expect(result?.status).toBe("failed");
    expect(result?.error).toMatchObject({ stage: "extract", code: "backend_error" });
    expect(result?.error?.message).toContain("no such file: missing.pdf");
    expect(result?.stages.classify?.status).toBe("pending");
    expect(stderr).toContain("failed extract");
  });

  it("fails before running anything when a stage names a worker that is not there", async () => {
    const other = path.join(root, "configs", "orchestrators", "typo.yaml");
    await writeFile(other, ANALYSIS_PIPELINE.replace('"doc_classifier"', '"doc_clasifier"'));
    const { code, result } = await loom("--config", other, "--context", "file_ref=report.pdf");
    expect(code).toBe(1);
    expect(result).toBeUndefined();
    expect(stderr).toContain("pipeline_stages[1].worker_type: unknown worker 'doc_clasifier'");
    expect(stderr).toContain("doc_classifier, doc_extractor, entity_extractor");
  });

  it("rejects a malformed --context pair", async () => {
    const { code } = await loom("--config", pipelineFile, "--context", "file_ref");
    expect(code).toBe(1);
    expect(stderr).toContain("expected key=value");
  });
});

describe("loom run pipeline (as a process)", () => {
  const main = path.resolve(import.meta.dirname, "../../src/cli/main.ts");
  const tsx = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;

  it("keeps stdout for the result JSON, and Ctrl-C cancels the goal", async () => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        tsx,
        main,
        "run",
        "pipeline",
        "--config",
        path.join(root, "configs/orchestrators/waiting.yaml"),
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
    );
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk) => {
      out += String(chunk);
    });
    const started = new Promise<void>((resolve) => {
      child.stderr.on("data", (chunk) => {
        err += String(chunk);
        if (err.includes("started wait")) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    await Promise.race([started, exited]);
    expect(err).toContain("started wait");
    child.kill("SIGINT");
    expect(await exited).toBe(1);
    const result = JSON.parse(out) as PipelineResult;
    expect(result.status).toBe("cancelled");
    expect(result.stages.wait?.status).toBe("cancelled");
    expect(result.error?.message).toContain("interrupted (SIGINT)");
    expect(err).toMatch(/^wait\s+cancelled/m);
  });
});
