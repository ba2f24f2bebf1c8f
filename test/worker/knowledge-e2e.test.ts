import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadWorkerConfig } from "../../src/config/index.js";
import type { LoomSettings } from "../../src/llm/settings.js";
import { executeTask } from "../../src/worker/execute-task.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { fakeLlmSettings } from "../fixtures/fake-llm-settings.js";
import { LEGAL_TERMS, writeLegalKnowledge } from "../fixtures/legal-knowledge.js";

// Parts 5, 6 and 8 of the guide end to end: real YAML loading, executeTask, and a fake LLM
// HTTP server that records the prompt it was sent.

const LEGAL_SUMMARIZER = `name: "legal_summarizer"
system_prompt: |
  You are a legal document summarizer. Use the reference material
  provided to ensure accurate use of legal terminology.
  Return JSON: {"summary": "..."}

knowledge_sources:
  - path: "configs/knowledge/legal_terms.md"
    inject_as: "reference"
  - path: "configs/knowledge/classification_examples.yaml"
    inject_as: "few_shot"

input_schema:
  type: object
  required: [text]
  properties:
    text: { type: string }

output_schema:
  type: object
  required: [summary]
  properties:
    summary: { type: string }
`;

let llm: FakeLlm;
let settings: LoomSettings;
let project: string;

beforeAll(async () => {
  llm = await startFakeLlm();
  settings = fakeLlmSettings(llm, "openai");
});

afterAll(async () => {
  await llm.close();
});

beforeEach(async () => {
  project = await mkdtemp(path.join(tmpdir(), "loom-e2e-"));
  await writeLegalKnowledge(project);
});

afterEach(async () => {
  await rm(project, { recursive: true, force: true });
});

async function workerFile(name: string, yaml: string): Promise<string> {
  const file = path.join(project, "configs", "workers", `${name}.yaml`);
  await writeFile(file, yaml);
  return file;
}

const task = (workerType: string, payload: Record<string, unknown>) => ({
  task_id: `t-${Math.random().toString(36).slice(2)}`,
  worker_type: workerType,
  payload,
});

describe("legal_summarizer (guide Part 5) end to end", () => {
  it("knowledge e2e: the model's system prompt holds the reference, the numbered examples, then the prompt", async () => {
    const worker = await loadWorkerConfig(await workerFile("legal_summarizer", LEGAL_SUMMARIZER));
    const before = llm.chatRequests().length;
    llm.enqueue({ text: '{"summary": "The court issued a writ of certiorari."}' });
    const result = await executeTask(task("legal_summarizer", { text: "Opinion of the court ..." }), {
      worker,
      settings,
    });
    expect(result.error).toBeNull();
    expect(result.output).toEqual({ summary: "The court issued a writ of certiorari." });
    const system = llm.chatRequests()[before]?.system ?? "";
    expect(system).toContain(`## Reference: legal_terms.md\n\n${LEGAL_TERMS.trim()}`);
    expect(system).toContain(
      "Example 1:\nInput: Contract between Acme Corp and Beta Inc for software development\nOutput: contract",
    );
    expect(system).toContain(
      "Example 2:\nInput: Minutes from the Q3 board meeting held on September 15\nOutput: meeting_minutes",
    );
    const reference = system.indexOf("## Reference: legal_terms.md");
    const examples = system.indexOf("Example 1:");
    const prompt = system.indexOf("You are a legal document summarizer.");
    expect(reference).toBeGreaterThanOrEqual(0);
    expect(reference).toBeLessThan(examples);
    expect(examples).toBeLessThan(prompt);
  });

  it("knowledge e2e: knowledge over max_input_tokens fails the task with config_error before calling the model", async () => {
    await writeFile(path.join(project, "configs", "knowledge", "legal_terms.md"), "term ".repeat(4000));
    const worker = await loadWorkerConfig(
      await workerFile("legal_summarizer", `${LEGAL_SUMMARIZER}max_input_tokens: 1000\n`),
    );
    const before = llm.chatRequests().length;
    const result = await executeTask(task("legal_summarizer", { text: "x" }), { worker, settings });
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("config_error");
    expect(result.error?.message).toContain("max_input_tokens 1000");
    expect(llm.chatRequests().length).toBe(before);
  });
});

describe("file refs (guide Part 6) end to end", () => {
  it("file refs e2e: the prompt carries the ref and the file's content; a missing file is invalid_input", async () => {
    const ws = path.join(project, "workspace");
    await mkdir(ws);
    await writeFile(
      path.join(ws, "report_extracted.json"),
      JSON.stringify({ title: "Q3 findings", pages: 7 }),
    );
    const worker = await loadWorkerConfig(
      await workerFile(
        "report_reader",
        `name: report_reader
system_prompt: "Summarize the report. Return JSON {\\"summary\\": \\"...\\"}"
workspace_dir: "${ws}"
resolve_file_refs: ["file_ref"]
input_schema: { type: object, required: [file_ref], properties: { file_ref: { type: string } } }
output_schema: { type: object, required: [summary], properties: { summary: { type: string } } }
`,
      ),
    );
    const before = llm.chatRequests().length;
    llm.enqueue({ text: '{"summary": "Q3 findings over 7 pages"}' });
    const ok = await executeTask(task("report_reader", { file_ref: "report_extracted.json" }), {
      worker,
      settings,
    });
    expect(ok.status).toBe("completed");
    const sent = llm.chatRequests()[before]?.userText ?? "";
    expect(sent).toContain('"file_ref": "report_extracted.json"');
    expect(sent).toContain('"file_ref_content"');
    expect(sent).toContain('"title": "Q3 findings"');

    for (const ref of ["missing.json", "../configs/knowledge/legal_terms.md"]) {
      const failed = await executeTask(task("report_reader", { file_ref: ref }), { worker, settings });
      expect(failed.status).toBe("failed");
      expect(failed.error?.code).toBe("invalid_input");
      expect(failed.error?.message).toContain("payload.file_ref");
      expect(failed.error?.message).toContain(ref);
    }
    expect(llm.chatRequests().length).toBe(before + 1);
  });
});

describe("readwrite silo (guide Part 8) end to end", () => {
  const patterns = () => path.join(project, "configs", "knowledge", "patterns");

  async function learner(): Promise<Awaited<ReturnType<typeof loadWorkerConfig>>> {
    await mkdir(patterns(), { recursive: true });
    await writeFile(path.join(patterns(), "existing.md"), "Existing pattern.");
    await writeFile(path.join(patterns(), "outdated.md"), "Outdated pattern.");
    return loadWorkerConfig(
      await workerFile(
        "pattern_learner",
        `name: pattern_learner
system_prompt: "Classify and learn. Return JSON {\\"result\\": \\"...\\"}"
knowledge_silos:
  - name: "learned_patterns"
    type: "folder"
    path: "configs/knowledge/patterns/"
    mode: "readwrite"
input_schema: { type: object, properties: { text: { type: string } } }
output_schema:
  type: object
  required: [result]
  additionalProperties: false
  properties: { result: { type: string } }
`,
      ),
    );
  }

  it("silos e2e: silo_updates are stripped before validation and applied after it", async () => {
    const worker = await learner();
    const before = llm.chatRequests().length;
    llm.enqueue({
      text: JSON.stringify({
        result: "contract",
        silo_updates: [
          { silo: "learned_patterns", action: "add", filename: "new_pattern.md", content: "New pattern." },
          {
            silo: "learned_patterns",
            action: "modify",
            filename: "existing.md",
            content: "Refined pattern.",
          },
          { silo: "learned_patterns", action: "delete", filename: "outdated.md" },
        ],
      }),
    });
    const result = await executeTask(task("pattern_learner", { text: "Acme contract" }), {
      worker,
      settings,
    });
    expect(result.error).toBeNull();
    expect(result.output).toEqual({ result: "contract" });
    expect((await readdir(patterns())).sort()).toEqual(["existing.md", "new_pattern.md"]);
    expect(await readFile(path.join(patterns(), "existing.md"), "utf8")).toBe("Refined pattern.");
    const system = llm.chatRequests()[before]?.system ?? "";
    expect(system).toContain("### existing.md\n\nExisting pattern.");
    expect(system).toContain("silo_updates");
  });

  it("silos e2e: updates of an output that fails validation are not applied", async () => {
    const worker = await learner();
    llm.enqueue({
      text: JSON.stringify({
        wrong_field: 1,
        silo_updates: [{ silo: "learned_patterns", action: "delete", filename: "existing.md" }],
      }),
    });
    const result = await executeTask(task("pattern_learner", { text: "x" }), { worker, settings });
    expect(result.error?.code).toBe("invalid_output");
    expect((await readdir(patterns())).sort()).toEqual(["existing.md", "outdated.md"]);
  });

  it("silos e2e: a model trying to write outside the silo fails the task and writes nothing", async () => {
    const worker = await learner();
    llm.enqueue({
      text: JSON.stringify({
        result: "ok",
        silo_updates: [
          { silo: "learned_patterns", action: "add", filename: "../legal_terms.md", content: "pwned" },
        ],
      }),
    });
    const result = await executeTask(task("pattern_learner", { text: "x" }), { worker, settings });
    expect(result.status).toBe("failed");
    expect(result.error?.code).toBe("workspace_error");
    expect(await readFile(path.join(project, "configs", "knowledge", "legal_terms.md"), "utf8")).toBe(
      LEGAL_TERMS,
    );
  });
});
