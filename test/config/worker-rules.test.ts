/** Worker configs: each rule of the guide rejects a broken variant at its line, column and path. */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { errorsOf, FIXTURES, issueAt, validateText } from "./helpers.js";

const SCHEMAS = `input_schema:
  type: object
  properties:
    text: {type: string}
output_schema:
  type: object
  properties:
    result: {type: string}
`;

const VALID = `name: "w"
system_prompt: "Answer."
${SCHEMAS}`;

describe("worker rules", () => {
  it("a valid worker has no issues", async () => {
    expect((await validateText(VALID)).issues).toEqual([]);
  });

  it("name is required", async () => {
    const { issues, file } = await validateText(`system_prompt: "x"\n${SCHEMAS}`);
    expect(issueAt(issues, "name")).toMatchObject({
      file,
      line: 1,
      column: 1,
      severity: "error",
      message: "required field 'name' is missing",
    });
  });

  it("name must be a string", async () => {
    const { issues } = await validateText(`name: [a]\nsystem_prompt: "x"\n${SCHEMAS}`);
    expect(issueAt(issues, "name")).toMatchObject({
      line: 1,
      column: 7,
      message: "expected a string (got a list)",
    });
  });

  it("an LLM worker needs a system_prompt", async () => {
    const { issues, file } = await validateText(`name: "w"\n${SCHEMAS}`);
    expect(issueAt(issues, "system_prompt")).toMatchObject({
      file,
      line: 1,
      column: 1,
      severity: "error",
      message: "LLM workers need a system_prompt (or set worker_kind: processor with a processing_backend)",
    });
    const blank = await validateText(`name: "w"\nsystem_prompt: "  "\n${SCHEMAS}`);
    expect(issueAt(blank.issues, "system_prompt")).toMatchObject({ line: 2, column: 16, severity: "error" });
  });

  it("a processor worker needs a processing_backend", async () => {
    const { issues } = await validateText(`name: "p"\nworker_kind: processor\n${SCHEMAS}`);
    expect(issueAt(issues, "processing_backend")).toMatchObject({
      line: 1,
      column: 1,
      severity: "error",
      message: 'processor workers need a processing_backend ("<module>#<ExportName>")',
    });
  });

  it("processing_backend must be a module ref", async () => {
    const { issues } = await validateText(
      `name: "p"\nworker_kind: processor\nprocessing_backend: "my backend"\n${SCHEMAS}`,
    );
    expect(issueAt(issues, "processing_backend")).toMatchObject({
      line: 3,
      column: 21,
      severity: "error",
      message: expect.stringMatching(/^expected "<module>#<ExportName>"/),
    });
  });

  it("a backend that cannot be imported is a warning naming the module", async () => {
    const { issues } = await validateText(
      `name: "p"\nworker_kind: processor\nprocessing_backend: "./nope.js#Nope"\n${SCHEMAS}`,
    );
    expect(issueAt(issues, "processing_backend")).toMatchObject({
      severity: "warning",
      message: expect.stringMatching(
        /^cannot load module '\.\/nope\.js' \(from '\.\/nope\.js#Nope'\): not found \(looked for .*nope\.js\) — running it fails until this is fixed$/,
      ),
    });
    expect(errorsOf(issues)).toEqual([]);
  });

  it("a schema ref that cannot be imported is a warning; one that is not a valid schema is an error", async () => {
    const contracts = path.join(FIXTURES, "refs/contracts.js");
    const { issues } = await validateText(
      `name: "w"\nsystem_prompt: "x"\ninput_schema_ref: "${contracts}#Missing"\noutput_schema_ref: "${contracts}#BrokenSchema"\n`,
    );
    expect(issueAt(issues, "input_schema_ref")).toMatchObject({
      line: 3,
      column: 19,
      severity: "warning",
      message: expect.stringMatching(
        /has no export 'Missing' \(exports: .*SummaryInput.*\) — running it fails until this is fixed$/,
      ),
    });
    expect(issueAt(issues, "output_schema_ref")).toMatchObject({
      line: 4,
      column: 20,
      severity: "error",
      message: expect.stringMatching(/#BrokenSchema' is not a valid JSON Schema: 'type' must be one of/),
    });
  });

  it("worker_kind must be llm or processor", async () => {
    const { issues } = await validateText(`${VALID}worker_kind: robot\n`);
    expect(issueAt(issues, "worker_kind")).toMatchObject({
      line: 11,
      column: 14,
      message: "must be llm or processor (got 'robot')",
    });
  });

  it("default_model_tier must be local, standard or frontier", async () => {
    const { issues } = await validateText(`${VALID}default_model_tier: fast\n`);
    expect(issueAt(issues, "default_model_tier")).toMatchObject({
      line: 11,
      column: 21,
      message: "must be local, standard or frontier (got 'fast')",
    });
  });

  it.each([
    ["timeout_seconds", "0", "must be a positive number (got 0)"],
    ["max_input_tokens", "-5", "must be a positive integer (got -5)"],
    ["max_output_tokens", "0", "must be a positive integer (got 0)"],
    ["max_output_tokens", "many", "must be a positive integer (got 'many')"],
  ])("%s: %s is rejected", async (key, value, message) => {
    const { issues } = await validateText(`${VALID}${key}: ${value}\n`);
    expect(issueAt(issues, key)).toMatchObject({
      line: 11,
      column: key.length + 3,
      severity: "error",
      message,
    });
  });

  it("reset_after_task must be true", async () => {
    const { issues } = await validateText(`${VALID}reset_after_task: false\n`);
    expect(issueAt(issues, "reset_after_task")).toMatchObject({
      line: 11,
      column: 19,
      message: "must be true (workers are stateless) (got false)",
    });
  });

  it("resolve_file_refs needs workspace_dir", async () => {
    const { issues } = await validateText(`${VALID}resolve_file_refs: [file_ref]\n`);
    expect(issueAt(issues, "resolve_file_refs")).toMatchObject({
      line: 11,
      column: 20,
      message: expect.stringMatching(/^resolve_file_refs needs workspace_dir/),
    });
    const withDir = await validateText(`${VALID}resolve_file_refs: [file_ref]\nworkspace_dir: /tmp/ws\n`);
    expect(withDir.issues).toEqual([]);
  });

  describe("input and output schemas are compiled as JSON Schema", () => {
    const worker = (input: string) =>
      `name: "w"\nsystem_prompt: "x"\ninput_schema:\n${input}\noutput_schema: {type: object}\n`;

    it("an unknown type name", async () => {
      const { issues } = await validateText(worker("  type: objekt"));
      expect(issueAt(issues, "input_schema.type")).toMatchObject({
        line: 4,
        column: 9,
        message: expect.stringMatching(/^invalid JSON Schema: 'type' must be one of string, number/),
      });
    });

    it("required that is not a list", async () => {
      const { issues } = await validateText(worker("  type: object\n  required: text"));
      expect(issueAt(issues, "input_schema.required")).toMatchObject({
        line: 5,
        column: 13,
        message: "invalid JSON Schema: 'required' must be a list",
      });
    });

    it("properties that are not a mapping of schemas", async () => {
      const { issues } = await validateText(worker("  type: object\n  properties:\n    text: 5"));
      expect(issueAt(issues, "input_schema.properties.text")).toMatchObject({
        line: 6,
        column: 11,
        message: expect.stringMatching(/'text' must be a schema/),
      });
    });

    it("an invalid regex pattern fails compilation", async () => {
      const { issues } = await validateText(
        worker("  type: object\n  properties:\n    id: {type: string, pattern: '[a-'}"),
      );
      expect(issueAt(issues, "input_schema")).toMatchObject({
        line: 4,
        column: 3,
        severity: "error",
        message: expect.stringMatching(/^invalid JSON Schema: is not a usable JSON Schema: .*\[a-/),
      });
    });

    // Compiling is skipped for schemas without these keywords; these must still be compiled.
    it.each([
      ["a bad patternProperties regex", "  type: object\n  patternProperties:\n    '(': {type: string}"],
      ["nullable without type", "  type: object\n  properties:\n    note: {nullable: true}"],
      ["an unresolvable $ref", "  type: object\n  properties:\n    a: {$ref: '#/definitions/missing'}"],
    ])("%s fails compilation", async (_name, input) => {
      const { issues } = await validateText(worker(input));
      expect(issueAt(issues, "input_schema")).toMatchObject({
        severity: "error",
        message: expect.stringMatching(/^invalid JSON Schema: is not a usable JSON Schema: /),
      });
    });

    it("a schema that is not a mapping", async () => {
      const { issues } = await validateText(
        `name: "w"\nsystem_prompt: "x"\ninput_schema: [a]\noutput_schema: {type: object}\n`,
      );
      expect(issueAt(issues, "input_schema")).toMatchObject({
        line: 3,
        column: 15,
        message: "must be a JSON Schema object (got a list)",
      });
    });
  });

  describe("knowledge_sources and knowledge_silos entries", () => {
    it("inject_as must be reference or few_shot", async () => {
      const { issues } = await validateText(
        `${VALID}knowledge_sources:\n  - path: notes.md\n    inject_as: refrence\n`,
      );
      expect(issueAt(issues, "knowledge_sources[0].inject_as")).toMatchObject({
        line: 13,
        column: 16,
        message: "must be reference or few_shot (got 'refrence')",
      });
    });

    it("a knowledge source needs a path; a missing file is a warning", async () => {
      const missing = await validateText(`${VALID}knowledge_sources:\n  - inject_as: reference\n`);
      expect(issueAt(missing.issues, "knowledge_sources[0].path")).toMatchObject({
        line: 12,
        column: 5,
        severity: "error",
        message: "required field 'path' is missing",
      });
      const absent = await validateText(`${VALID}knowledge_sources:\n  - path: no-such-file.md\n`);
      expect(issueAt(absent.issues, "knowledge_sources[0].path")).toMatchObject({
        severity: "warning",
        message: expect.stringMatching(/^knowledge file not found: .*no-such-file\.md$/),
      });
    });

    it("a silo type must be folder or tool, mode read or readwrite, names unique", async () => {
      const { issues } = await validateText(
        `${VALID}knowledge_silos:\n  - {name: a, type: folder, path: /tmp, mode: write}\n  - {name: a, type: shelf}\n  - {name: t, type: tool}\n`,
      );
      expect(issueAt(issues, "knowledge_silos[0].mode")).toMatchObject({
        line: 12,
        column: 47,
        message: "must be read or readwrite (got 'write')",
      });
      expect(issueAt(issues, "knowledge_silos[1].name")).toMatchObject({
        line: 13,
        column: 12,
        message: "duplicate silo name 'a' (also knowledge_silos[0])",
      });
      expect(issueAt(issues, "knowledge_silos[1].type")).toMatchObject({
        line: 13,
        column: 21,
        message: "type must be folder or tool (got 'shelf')",
      });
      expect(issueAt(issues, "knowledge_silos[2].provider")).toMatchObject({
        line: 14,
        column: 5,
        message: "required field 'provider' is missing",
      });
    });
  });

  it("an unknown key is a warning naming the nearest known key", async () => {
    const { issues } = await validateText(`name: "w"\nsytem_prompt: "x"\n${SCHEMAS}`);
    expect(issueAt(issues, "sytem_prompt")).toMatchObject({
      line: 2,
      column: 1,
      severity: "warning",
      message: "unknown key 'sytem_prompt' is ignored — did you mean 'system_prompt'?",
    });
  });

  it("reports every problem at once", async () => {
    const { issues } = await validateText(
      `name: ""\ndefault_model_tier: x\ntimeout_seconds: -1\nreset_after_task: no\n${SCHEMAS}`,
    );
    expect(
      errorsOf(issues)
        .map((i) => i.path)
        .sort(),
    ).toEqual(["default_model_tier", "name", "reset_after_task", "system_prompt", "timeout_seconds"]);
  });

  it("YAML syntax errors are reported at their position", async () => {
    const { issues } = await validateText(`name: "w"\nsystem_prompt: "x\n  bad: [\n`);
    expect(issues.length).toBeGreaterThan(0);
    expect(issues[0]).toMatchObject({ severity: "error", line: expect.any(Number), path: "" });
  });

  it("a file whose kind cannot be told says which keys decide", async () => {
    const { issues } = await validateText(`- input: a\n  output: b\n`);
    expect(issues).toEqual([
      expect.objectContaining({
        line: 1,
        column: 1,
        message: expect.stringMatching(/^cannot tell what kind of config/),
      }),
    ]);
  });
});
