/**
 * `loom dev fake-llm`: the README's way to try LLM workers offline. The shipped pipeline example
 * runs against it with only OLLAMA_HOST set; a script decides replies; by default every worker gets
 * a reply that satisfies its output schema.
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleFromSchema } from "../../src/dev/sample-reply.js";
import type { PipelineResult } from "../../src/pipeline/types.js";
import type { TaskResult } from "../../src/worker/messages.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const MAIN = path.join(root, "src/cli/main.ts");
const TSX = pathToFileURL(path.join(root, "node_modules/tsx/dist/loader.mjs")).href;

let dir: string;
let fake: ChildProcess;
let url: string;
let requestLog = "";

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "loom-dev-fake-llm-"));
  const script = path.join(dir, "script.yaml");
  await writeFile(
    script,
    `rules:
  - match: "SCRIPTED-MARKER"
    reply: { text: '{"people": ["Ada Lovelace"], "places": [], "organizations": [], "count": 1}' }
`,
  );
  fake = spawn(
    process.execPath,
    ["--import", TSX, MAIN, "dev", "fake-llm", "--port", "0", "--script", script],
    {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", HOME: dir },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  fake.stderr?.on("data", (chunk: Buffer) => {
    requestLog += chunk.toString();
  });
  url = await new Promise<string>((resolve, reject) => {
    let out = "";
    fake.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening at (http:\/\/\S+)/.exec(out);
      if (match?.[1]) resolve(match[1]);
    });
    fake.once("exit", (code) => reject(new Error(`fake-llm exited with ${code}: ${requestLog}`)));
  });
}, 60_000);

afterAll(async () => {
  if (fake.exitCode === null) {
    const exited = new Promise((resolve) => fake.once("exit", resolve));
    fake.kill("SIGTERM");
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

function loom(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", TSX, MAIN, ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? "", HOME: dir, OLLAMA_HOST: url, ...env } },
      (error, stdout, stderr) =>
        resolve({ code: error ? (typeof error.code === "number" ? error.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe("loom dev fake-llm", () => {
  it("lists Loom's default models, so the pre-flight of the shipped configs passes with the banner's settings", async () => {
    const doctor = await loom(["doctor", "--configs", "configs"], {
      LOOM_STANDARD_BACKEND: "ollama",
      LOOM_FRONTIER_BACKEND: "ollama",
    });
    expect(doctor.stdout).toMatch(/✓ LLM tier local: Ollama at .* has llama3\.2:3b/);
    expect(doctor.stdout).toMatch(/✓ LLM tier standard: Ollama at .* has llama3\.2:3b/);
    expect(doctor.code).toBe(0);
  });

  it("runs the README's pipeline example offline: every LLM stage gets a reply that fits its schema", async () => {
    const run = await loom([
      "run",
      "pipeline",
      "--config",
      "configs/orchestrators/analysis_pipeline.yaml",
      "--context",
      "file_ref=sample_report.md",
      "--quiet",
    ]);
    expect(run.stderr).not.toContain("failed");
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as PipelineResult;
    expect(result.status).toBe("completed");
    expect(requestLog).toContain("POST /api/chat (llama3.2:3b)");
  }, 120_000);

  it("answers from the script when a rule matches the prompt or input", async () => {
    const run = await loom([
      "run",
      "worker",
      "--config",
      "configs/workers/entity_extractor.yaml",
      "--input",
      '{"text": "SCRIPTED-MARKER Ada wrote the first program."}',
    ]);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as TaskResult).output).toEqual({
      people: ["Ada Lovelace"],
      places: [],
      organizations: [],
      count: 1,
    });
  }, 60_000);

  it("rejects a script with an unknown key instead of ignoring it", async () => {
    const bad = path.join(dir, "bad.yaml");
    await writeFile(bad, "replys:\n  - text: '{}'\n");
    const run = await loom(["dev", "fake-llm", "--port", "0", "--script", bad]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("unknown key(s) replys (keys: rules, replies)");
  }, 60_000);
});

describe("sampleFromSchema", () => {
  it("builds a value with every property, honouring enums, minimums and minimum lengths", () => {
    expect(
      sampleFromSchema({
        type: "object",
        properties: {
          label: { type: "string", enum: ["contract", "memo"] },
          score: { type: "number", minimum: 0.5 },
          tags: { type: "array", items: { type: "string" }, minItems: 1 },
          code: { type: "string", minLength: 12 },
        },
      }),
    ).toEqual({ label: "contract", score: 1, tags: ["fake tags"], code: "fake codexxx" });
  });
});
