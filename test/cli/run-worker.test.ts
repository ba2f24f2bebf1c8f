import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { TaskResult } from "../../src/worker/messages.js";
import { UN_ENTITIES, UN_TEXT } from "../fixtures/entity-extractor.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const MAIN = path.join(root, "src/cli/main.ts");
/** tsx runs the CLI from source, so this test needs no build. */
const TSX = pathToFileURL(path.join(root, "node_modules/tsx/dist/loader.mjs")).href;

/** The guide's Part 1 worker, verbatim. */
const ENTITY_EXTRACTOR_YAML = `name: "entity_extractor"
description: "Extracts named entities (people, places, orgs) from text."

system_prompt: |
  You are an entity extraction agent. Extract named entities from the input text.

  OUTPUT FORMAT:
  Respond with ONLY a JSON object:
  {
    "people": ["name1", "name2"],
    "places": ["place1"],
    "organizations": ["org1"],
    "count": <total number of entities>
  }

input_schema:
  type: object
  required: [text]
  properties:
    text:
      type: string
      minLength: 1

output_schema:
  type: object
  required: [people, places, organizations, count]
  properties:
    people:
      type: array
      items:
        type: string
    places:
      type: array
      items:
        type: string
    organizations:
      type: array
      items:
        type: string
    count:
      type: integer

default_model_tier: "local"
max_output_tokens: 1000
reset_after_task: true
timeout_seconds: 30
`;

let llm: FakeLlm;
let dir: string;
let config: string;
beforeAll(async () => {
  llm = await startFakeLlm();
  dir = await mkdtemp(path.join(os.tmpdir(), "loom-run-worker-"));
  config = path.join(dir, "entity_extractor.yaml");
  await writeFile(config, ENTITY_EXTRACTOR_YAML);
});
afterAll(async () => {
  await llm.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => llm.reset());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `loom run worker …` as a real process in the temp folder, with only the env given. */
function loom(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", TSX, MAIN, "run", "worker", ...args],
      {
        cwd: dir,
        env: { PATH: process.env.PATH ?? "", HOME: dir, ...env },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe("loom run worker", () => {
  it("runs the guide's entity_extractor and prints the TaskResult", async () => {
    llm.enqueue({
      text: `\`\`\`json\n${JSON.stringify(UN_ENTITIES)}\n\`\`\``,
      usage: { input: 80, output: 25 },
    });
    const run = await loom(["--config", config, "--input", JSON.stringify({ text: UN_TEXT })], {
      OLLAMA_HOST: llm.url,
    });
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as TaskResult;
    expect(result).toMatchObject({
      worker_type: "entity_extractor",
      status: "completed",
      output: UN_ENTITIES,
      model_used: "llama3.2:3b",
      token_usage: { input: 80, output: 25 },
    });
    expect(llm.chatRequests()[0]?.path).toBe("/api/chat");
  }, 60_000);

  it("reads --input @file and exits 1 with a failed result when the input breaks the schema", async () => {
    const input = path.join(dir, "input.json");
    await writeFile(input, JSON.stringify({ text: "" }));
    const run = await loom(["--config", config, "--input", `@${input}`], { OLLAMA_HOST: llm.url });
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as TaskResult;
    expect(result.error?.code).toBe("invalid_input");
    expect(run.stderr).toContain("invalid_input");
    expect(llm.chatRequests()).toHaveLength(0);
  }, 60_000);

  it("--tier picks the tier; with no backend for it the error says which setting to add", async () => {
    const run = await loom(["--config", config, "--input", '{"text": "hi"}', "--tier", "standard"]);
    expect(run.code).toBe(1);
    const result = JSON.parse(run.stdout) as TaskResult;
    expect(result.error?.code).toBe("config_error");
    expect(result.error?.message).toContain("no LLM backend for tier standard: set ANTHROPIC_API_KEY");
  }, 60_000);

  it("runs the guide's my_processor (a SyncProcessingBackend) and exits 1 on its BackendError", async () => {
    const workspace = path.join(dir, "my-workspace");
    await mkdir(workspace, { recursive: true });
    await writeFile(path.join(workspace, "scan.txt"), "Invoice 42: total 1,200 EUR\n");
    const processor = path.join(dir, "my_processor.yaml");
    await writeFile(
      processor,
      `name: "my_processor"
worker_kind: "processor"
processing_backend: "${path.join(root, "test/fixtures/backends/my-backend.js")}#MyBackend"
backend_config:
  workspace_dir: "${workspace}"
input_schema: { type: object, required: [file_ref], properties: { file_ref: { type: string } } }
output_schema: { type: object, required: [extracted_text], properties: { extracted_text: { type: string } } }
`,
    );
    const ok = await loom(["--config", processor, "--input", '{"file_ref": "scan.txt"}']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      worker_type: "my_processor",
      status: "completed",
      output: { extracted_text: "Invoice 42: total 1,200 EUR" },
      model_used: "my-converter",
    });
    const refused = await loom([
      "--config",
      processor,
      "--input",
      '{"file_ref": "../entity_extractor.yaml"}',
    ]);
    expect(refused.code).toBe(1);
    const result = JSON.parse(refused.stdout) as TaskResult;
    expect(result.error).toMatchObject({
      code: "backend_error",
      details: { error_class: "ConversionError" },
    });
    expect(refused.stderr).toContain("Conversion failed");
    expect(llm.requests).toHaveLength(0);
  }, 60_000);

  it("rejects input that is not JSON before running anything", async () => {
    const run = await loom(["--config", config, "--input", "{text: hi}"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain("--input is not valid JSON");
  }, 60_000);
});
