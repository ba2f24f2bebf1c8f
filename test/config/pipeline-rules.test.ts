/** Pipeline configs: each rule rejects a broken variant at its line, column and path. */
import { describe, expect, it } from "vitest";
import { validateConfigFile } from "../../src/config/index.js";
import { errorsOf, issueAt, tempDir, validateText } from "./helpers.js";

/** A pipeline whose stages are given as YAML text (indented as list items of pipeline_stages). */
const pipeline = (stages: string, top = "") => `name: "p"\n${top}pipeline_stages:\n${stages}`;

const EXTRACT = `  - name: extract
    worker_type: doc_extractor
    input_mapping:
      file_ref: goal.context.file_ref
`;

describe("pipeline rules", () => {
  it("a valid pipeline has no issues", async () => {
    expect((await validateText(pipeline(EXTRACT))).issues).toEqual([]);
  });

  it("name and pipeline_stages are required", async () => {
    const { issues } = await validateText(`timeout_seconds: 10\npipeline_stages: []\n`, { kind: "pipeline" });
    expect(issueAt(issues, "name")).toMatchObject({
      line: 1,
      column: 1,
      message: "required field 'name' is missing",
    });
    expect(issueAt(issues, "pipeline_stages")).toMatchObject({
      line: 2,
      column: 18,
      message: "must list at least one stage (got a list)",
    });
    const none = await validateText(`name: p\ntimeout_seconds: 10\n`, { kind: "pipeline" });
    expect(issueAt(none.issues, "pipeline_stages").message).toBe(
      "required field 'pipeline_stages' is missing",
    );
  });

  it("stage names are unique", async () => {
    const { issues } = await validateText(pipeline(`${EXTRACT}  - name: extract\n    worker_type: w\n`));
    expect(issueAt(issues, "pipeline_stages[1].name")).toMatchObject({
      line: 7,
      column: 11,
      message: "duplicate stage name 'extract' (also pipeline_stages[0])",
    });
  });

  it("a stage tier must be local, standard or frontier", async () => {
    const { issues } = await validateText(pipeline(`${EXTRACT}    tier: gpu\n`));
    expect(issueAt(issues, "pipeline_stages[0].tier")).toMatchObject({
      line: 7,
      column: 11,
      message: "must be local, standard or frontier (got 'gpu')",
    });
  });

  it("input_mapping must be a mapping of non-empty string paths", async () => {
    const list = await validateText(
      pipeline(`  - name: a\n    worker_type: w\n    input_mapping: [goal.context.x]\n`),
    );
    expect(issueAt(list.issues, "pipeline_stages[0].input_mapping")).toMatchObject({
      line: 5,
      column: 20,
      message: "must be a mapping of input field to path (got a list)",
    });
    const empty = await validateText(
      pipeline(`  - name: a\n    worker_type: w\n    input_mapping:\n      text: ""\n      n: 3\n`),
    );
    expect(issueAt(empty.issues, "pipeline_stages[0].input_mapping.text")).toMatchObject({
      line: 6,
      column: 13,
      message: "must not be empty (got '')",
    });
    expect(issueAt(empty.issues, "pipeline_stages[0].input_mapping.n")).toMatchObject({
      line: 7,
      column: 10,
      message: "must be a path string (got 3)",
    });
  });

  it("a malformed path is rejected", async () => {
    const { issues } = await validateText(
      pipeline(`  - name: a\n    worker_type: w\n    input_mapping:\n      text: goal..context\n`),
    );
    expect(issueAt(issues, "pipeline_stages[0].input_mapping.text").message).toMatch(
      /^malformed path 'goal\.\.context'/,
    );
  });

  it("a path must start with goal or an earlier stage", async () => {
    const { issues } = await validateText(
      pipeline(
        `${EXTRACT}  - name: classify\n    worker_type: w\n    input_mapping:\n      a: extrct.output.text\n      b: summarize.output.text\n      c: goal.contxt.x\n  - name: summarize\n    worker_type: w\n`,
      ),
    );
    expect(issueAt(issues, "pipeline_stages[1].input_mapping.a")).toMatchObject({
      line: 10,
      column: 10,
      message:
        "'extrct.output.text' reads unknown stage 'extrct' — did you mean 'extract'? (a path must start with goal or an earlier stage: goal, extract)",
    });
    expect(issueAt(issues, "pipeline_stages[1].input_mapping.b").message).toMatch(
      /^'summarize\.output\.text' reads stage 'summarize', which is defined later/,
    );
    expect(issueAt(issues, "pipeline_stages[1].input_mapping.c").message).toMatch(/did you mean 'context'\?/);
  });

  it("depends_on must name existing stages, and not the stage itself", async () => {
    const { issues } = await validateText(
      pipeline(`${EXTRACT}  - name: b\n    worker_type: w\n    depends_on: [extrct, b]\n`),
    );
    expect(issueAt(issues, "pipeline_stages[1].depends_on[0]")).toMatchObject({
      line: 9,
      column: 18,
      message: "unknown stage 'extrct' — did you mean 'extract'? (stages: extract, b)",
    });
    expect(issueAt(issues, "pipeline_stages[1].depends_on[1]")).toMatchObject({
      line: 9,
      column: 26,
      message: "stage 'b' depends on itself",
    });
  });

  it("a dependency cycle is named", async () => {
    const { issues } = await validateText(
      pipeline(
        `  - name: a\n    worker_type: w\n    depends_on: [b]\n  - name: b\n    worker_type: w\n    depends_on: [a]\n`,
      ),
    );
    expect(issueAt(issues, "pipeline_stages[0].depends_on")).toMatchObject({
      line: 5,
      column: 17,
      message: "dependency cycle: a → b → a",
    });
  });

  it.each([
    ["extract.output.needs_ocr = true", true],
    ["extract.output.needs_ocr == yes", true],
    ["== true", true],
    ["extract.output.needs_ocr == true", false],
    ["extract.output.kind != 'scan'", false],
    ['extract.output.kind == "scan"', false],
    ["extract.output.kind != null", false],
  ])("condition %j is %s", async (condition, invalid) => {
    const { issues } = await validateText(
      pipeline(`${EXTRACT}  - name: ocr\n    worker_type: w\n    condition: ${JSON.stringify(condition)}\n`),
    );
    if (invalid) {
      expect(issueAt(issues, "pipeline_stages[1].condition")).toMatchObject({
        line: 9,
        column: 16,
        message: expect.stringMatching(
          /^invalid condition .*expected "<path> == <value>" or "<path> != <value>"/,
        ),
      });
    } else expect(issues).toEqual([]);
  });

  it("a condition path must start with goal or an earlier stage", async () => {
    const { issues } = await validateText(
      pipeline(`${EXTRACT}  - name: ocr\n    worker_type: w\n    condition: "ocr.output.x == true"\n`),
    );
    expect(issueAt(issues, "pipeline_stages[1].condition").message).toMatch(/reads this stage's own output/);
  });

  it("timeouts must be positive and max_concurrent_goals at least 1", async () => {
    const { issues } = await validateText(
      pipeline(`${EXTRACT}    timeout_seconds: 0\n`, "timeout_seconds: -3\nmax_concurrent_goals: 0\n"),
    );
    expect(issueAt(issues, "timeout_seconds")).toMatchObject({
      line: 2,
      column: 18,
      message: "must be a positive number (got -3)",
    });
    expect(issueAt(issues, "max_concurrent_goals")).toMatchObject({
      line: 3,
      column: 23,
      message: "must be a positive integer (got 0)",
    });
    expect(issueAt(issues, "pipeline_stages[0].timeout_seconds")).toMatchObject({
      line: 9,
      column: 22,
      message: "must be a positive number (got 0)",
    });
  });

  it("an unknown key is a warning with the nearest known key", async () => {
    const { issues } = await validateText(
      pipeline(`${EXTRACT}    dependson: [x]\n`, "max_concurent_goals: 2\n"),
    );
    expect(issueAt(issues, "max_concurent_goals").message).toBe(
      "unknown key 'max_concurent_goals' is ignored — did you mean 'max_concurrent_goals'?",
    );
    expect(issueAt(issues, "pipeline_stages[0].dependson")).toMatchObject({
      line: 8,
      column: 5,
      severity: "warning",
      message: expect.stringMatching(/did you mean 'depends_on'\?/),
    });
    expect(errorsOf(issues)).toEqual([]);
  });

  it("a worker_type without a worker config is reported when the workers folder is known", async () => {
    const tmp = await tempDir();
    try {
      await tmp.write("workers/doc_extractor.yaml", `name: doc_extractor\nsystem_prompt: x\n`);
      const file = await tmp.write(
        "orchestrators/p.yaml",
        pipeline(`${EXTRACT}  - name: b\n    worker_type: doc_extracter\n`),
      );
      const found = await validateConfigFile(file);
      expect(issueAt(found.issues, "pipeline_stages[1].worker_type")).toMatchObject({
        line: 8,
        column: 18,
        message: expect.stringMatching(
          /^no worker config named 'doc_extracter' in .*workers — did you mean 'doc_extractor'\? \(workers: doc_extractor\)$/,
        ),
      });
      const elsewhere = await tmp.write(
        "deep/er/p.yaml",
        pipeline(`  - name: b\n    worker_type: doc_extracter\n`),
      );
      expect((await validateConfigFile(elsewhere)).issues).toEqual([]);
      const explicit = await validateConfigFile(elsewhere, { workersDir: `${tmp.dir}/workers` });
      expect(issueAt(explicit.issues, "pipeline_stages[0].worker_type").severity).toBe("error");
    } finally {
      await tmp.cleanup();
    }
  });
});
