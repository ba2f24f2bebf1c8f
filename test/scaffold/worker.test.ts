import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hasErrors } from "../../src/config/issues.js";
import { validateConfigFile } from "../../src/config/validate-file.js";
import { parseFieldSpec, parseFieldSpecs } from "../../src/scaffold/fields.js";
import { checkName } from "../../src/scaffold/names.js";
import { schemaLine } from "../../src/scaffold/schema-line.js";
import { inputSkeleton, workerYaml } from "../../src/scaffold/worker.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
let tmp: string;

beforeAll(async () => {
  tmp = await mkdtemp(path.join(tmpdir(), "loom-scaffold-"));
});
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const inputs = parseFieldSpecs(["text:string", "lang?:string"], "input");
const outputs = parseFieldSpecs(["summary:string", "count:integer", "tags?:array"], "output");

describe("scaffold: worker", () => {
  it("an llm worker validates with 0 issues and has the schema line and comments", async () => {
    const file = path.join(tmp, "configs/workers/summarizer2.yaml");
    const text = workerYaml(
      {
        name: "summarizer2",
        kind: "llm",
        tier: "local",
        description: "Summarizes text.",
        systemPrompt: 'You summarize.\n\n  INPUT: text\nOUTPUT: {"summary": "..."}\n',
        inputs,
        outputs,
        timeoutSeconds: 30,
      },
      { file },
    );
    expect(text.split("\n")[0]).toMatch(/^# yaml-language-server: \$schema=.*schemas\/worker\.schema\.json$/);
    expect(text).toContain("# system_prompt —");
    expect(text).toContain("# input_schema / output_schema —");
    expect(text).toContain("required: [text]");
    expect(text).toContain("timeout_seconds: 30");
    const { kind, issues } = await validateConfigFile(file, { text });
    expect(kind).toBe("worker");
    expect(issues).toEqual([]);
  });

  it("a processor worker validates with no errors (the backend module may not exist yet: a warning)", async () => {
    const file = path.join(tmp, "configs/workers/proc.yaml");
    const text = workerYaml(
      { name: "proc", kind: "processor", backend: "../backends/proc.js#ProcBackend", inputs, outputs },
      { file },
    );
    expect(text).toContain('processing_backend: "../backends/proc.js#ProcBackend"');
    expect(text).not.toContain("system_prompt:");
    const { issues } = await validateConfigFile(file, { text });
    expect(hasErrors(issues)).toBe(false);
  });

  it("the schema line of a file in this repository's configs/workers is ../../schemas/worker.schema.json", () => {
    expect(schemaLine(path.join(ROOT, "configs/workers/x.yaml"), "worker")).toBe(
      "# yaml-language-server: $schema=../../schemas/worker.schema.json",
    );
    expect(schemaLine(path.join(ROOT, "configs/orchestrators/x.yaml"), "pipeline")).toBe(
      "# yaml-language-server: $schema=../../schemas/pipeline.schema.json",
    );
  });

  it("bad names are refused with the rule; taken names with the list", () => {
    expect(() => checkName("worker", "Doc")).toThrow(
      "worker name 'Doc' must be lowercase letters, digits and underscores, starting with a letter",
    );
    expect(() => checkName("worker", "1doc")).toThrow("must be lowercase letters");
    expect(() => checkName("worker", "doc-x")).toThrow("must be lowercase letters");
    expect(() => checkName("worker", "")).toThrow("worker name is empty");
    expect(() => checkName("worker", "summarizer", ["classifier", "summarizer"])).toThrow(
      "worker name 'summarizer' is taken (workers: classifier, summarizer)",
    );
    expect(checkName("worker", "doc_2")).toBe("doc_2");
  });

  it("fields: name:type required, name?:type optional; unknown types and duplicates refused", () => {
    expect(parseFieldSpec("text:string")).toEqual({ name: "text", type: "string", required: true });
    expect(parseFieldSpec("lang?:string")).toEqual({ name: "lang", type: "string", required: false });
    expect(() => parseFieldSpec("text:str")).toThrow(
      "unknown type 'str' (types: string, number, integer, boolean, array, object)",
    );
    expect(() => parseFieldSpec("text")).toThrow("is not name:type");
    expect(() => parseFieldSpecs(["a:string", "a:number"], "input")).toThrow(
      "input field 'a' is given twice",
    );
  });

  it("an llm worker without a prompt, or with no fields, is refused", () => {
    const file = path.join(tmp, "w.yaml");
    expect(() => workerYaml({ name: "w", kind: "llm", inputs, outputs }, { file })).toThrow(
      "an llm worker needs a system prompt",
    );
    expect(() =>
      workerYaml({ name: "w", kind: "llm", systemPrompt: "x", inputs: [], outputs }, { file }),
    ).toThrow("give at least one input field");
    expect(() => workerYaml({ name: "w", kind: "processor", inputs, outputs }, { file })).toThrow(
      "a processor worker needs a processing backend",
    );
  });

  it("the payload skeleton has a placeholder per input field", () => {
    expect(inputSkeleton(parseFieldSpecs(["text:string", "n:integer", "ok:boolean"], "input"))).toBe(
      '{"text":"...","n":0,"ok":false}',
    );
  });
});
