/**
 * Every YAML example of the guide, copied verbatim into fixtures/guide (snippets such as a single
 * stage or a knowledge_silos block are wrapped in the smallest config that holds them), loads and
 * validates without errors — and the shipped configs in configs/ do too.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { workerDefinition } from "../../src/config/definitions/index.js";
import { explainLevels, pipelineLevels } from "../../src/config/explain.js";
import {
  ConfigValidationError,
  formatIssue,
  loadPipelineConfig,
  loadWorkerConfig,
  validateConfigFile,
} from "../../src/config/index.js";
import { configFilesIn } from "../../src/config/validate-targets.js";
import { errorsOf, FIXTURES, ROOT } from "./helpers.js";

const GUIDE = path.join(FIXTURES, "guide");
const WORKERS = path.join(ROOT, "configs/workers");

/** Warnings the guide's examples earn on purpose, per file (substrings of the messages). */
const EXPECTED_WARNINGS: Record<string, string[]> = {
  "legal_summarizer.yaml": ["no input_schema", "no output_schema"],
  "my_processor.yaml": ["cannot import 'mypackage.backends.MyBackend'"],
  "my_query_worker.yaml": [
    "no input_schema",
    "no output_schema",
    "cannot import 'myapp.backends.MyQueryBackend'",
  ],
  "silo_tool.yaml": ["cannot import 'mypackage.tools.MyDBTool'"],
  "my_worker_schema_refs.yaml": [
    "cannot import 'myapp.contracts.MyWorkerInput'",
    "cannot import 'myapp.contracts.MyWorkerOutput'",
  ],
};

/** The guide's conditional-stage snippet names an `ocr_worker` it never defines. */
const UNDEFINED_WORKERS = new Set(["conditional_ocr.yaml"]);

/** The guide's schema-ref example names Python (Pydantic) models. */
const PYTHON_REFS = "my_worker_schema_refs.yaml";

describe("guide examples", async () => {
  const files = (await readdir(GUIDE)).filter((f) => f.endsWith(".yaml")).sort();

  it.each(files)("%s validates with no errors", async (name) => {
    const workersDir = UNDEFINED_WORKERS.has(name) ? undefined : WORKERS;
    const { kind, issues } = await validateConfigFile(path.join(GUIDE, name), { workersDir });
    expect(kind).toBeDefined();
    expect(errorsOf(issues).map(formatIssue)).toEqual([]);
    const warnings = issues.map((i) => i.message).filter((m) => !needsUserData(m));
    const expected = EXPECTED_WARNINGS[name] ?? [];
    expect(warnings).toHaveLength(expected.length);
    for (const text of expected) expect(warnings.some((w) => w.includes(text))).toBe(true);
  });

  it("a Python-style schema ref is a warning naming the ref to write; loading it to run is an error", async () => {
    const file = path.join(GUIDE, PYTHON_REFS);
    const { issues } = await validateConfigFile(file);
    expect(issues.map(formatIssue)).toEqual([
      `${file}:2:19  input_schema_ref  warning: cannot import 'myapp.contracts.MyWorkerInput': dotted (Python-style) names work only for built-ins (loom.contrib.duckdb.*); write "<module>#<ExportName>", e.g. "./myapp/contracts.js#MyWorkerInput" — running it fails until this is fixed`,
      `${file}:3:20  output_schema_ref  warning: cannot import 'myapp.contracts.MyWorkerOutput': dotted (Python-style) names work only for built-ins (loom.contrib.duckdb.*); write "<module>#<ExportName>", e.g. "./myapp/contracts.js#MyWorkerOutput" — running it fails until this is fixed`,
    ]);
    const error = await loadWorkerConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).issues).toEqual([
      expect.objectContaining({
        line: 2,
        column: 19,
        path: "input_schema_ref",
        severity: "error",
        message: expect.stringMatching(
          /^cannot import 'myapp\.contracts\.MyWorkerInput': .*"\.\/myapp\/contracts\.js#MyWorkerInput"$/,
        ),
      }),
      expect.objectContaining({ line: 3, column: 20, path: "output_schema_ref", severity: "error" }),
    ]);
  });

  it("the analysis pipeline runs extract first, then classify and summarize in parallel", async () => {
    const config = await loadPipelineConfig(path.join(GUIDE, "analysis_pipeline.yaml"));
    expect(explainLevels(pipelineLevels(config.stages))).toEqual([
      "Level 0: extract",
      "Level 1: classify + summarize",
    ]);
  });

  it("depends_on overrides inference: summarize runs after classify", async () => {
    const config = await loadPipelineConfig(path.join(GUIDE, "analysis_pipeline_depends_on.yaml"));
    expect(pipelineLevels(config.stages)).toEqual([["extract"], ["classify"], ["summarize"]]);
  });

  it("a condition path is a dependency: ocr waits for extract", async () => {
    const config = await loadPipelineConfig(path.join(GUIDE, "conditional_ocr.yaml"));
    expect(pipelineLevels(config.stages)).toEqual([["extract"], ["ocr"]]);
  });
});

describe("shipped configs", async () => {
  const files = await configFilesIn(path.join(ROOT, "configs"));

  it("include every config the guide shows", () => {
    const names = files.map((f) => path.relative(ROOT, f));
    for (const expected of [
      "configs/workers/_template.yaml",
      "configs/workers/entity_extractor.yaml",
      "configs/workers/my_processor.yaml",
      "configs/workers/legal_summarizer.yaml",
      "configs/workers/doc_extractor.yaml",
      "configs/workers/doc_classifier.yaml",
      "configs/workers/summarizer.yaml",
      "configs/workers/classifier.yaml",
      "configs/orchestrators/analysis_pipeline.yaml",
      "configs/orchestrators/rag_pipeline.yaml",
      "configs/router_rules.yaml",
      "configs/mcp/my_server.yaml",
    ]) {
      expect(names).toContain(expected);
    }
  });

  it.each(files.map((f) => [path.relative(ROOT, f), f]))(
    "%s validates with no errors",
    async (_name, file) => {
      const { kind, issues } = await validateConfigFile(file);
      expect(kind).toBeDefined();
      expect(
        errorsOf(issues)
          .filter((i) => !needsUserData(i.message))
          .map(formatIssue),
      ).toEqual([]);
    },
  );

  it("the guide's my_server.yaml points at the user's own data: validate warns it is missing before start-up", async () => {
    const { issues } = await validateConfigFile(path.join(ROOT, "configs/mcp/my_server.yaml"));
    expect(errorsOf(issues)).toEqual([]);
    expect(issues.map((i) => i.message).filter(needsUserData)).toEqual([
      expect.stringMatching(
        /^database file not found: \/tmp\/workspace\/data\.duckdb; loom mcp will not start/,
      ),
      expect.stringMatching(/^workspace folder not found: \/tmp\/workspace; loom mcp will not start/),
    ]);
  });

  it("_template.yaml documents every field of the guide's worker config table", async () => {
    const template = await readFile(path.join(WORKERS, "_template.yaml"), "utf8");
    // The guide's "Worker config reference" table, in its order.
    const fields = [
      "name",
      "description",
      "worker_kind",
      "system_prompt",
      "processing_backend",
      "backend_config",
      "input_schema",
      "output_schema",
      "input_schema_ref",
      "output_schema_ref",
      "default_model_tier",
      "max_input_tokens",
      "max_output_tokens",
      "knowledge_sources",
      "knowledge_silos",
      "workspace_dir",
      "resolve_file_refs",
      "reset_after_task",
      "timeout_seconds",
    ];
    expect(Object.keys(workerDefinition.shape).sort()).toEqual([...fields].sort());
    for (const field of fields) {
      // A comment such as "# timeout_seconds (optional, default 60) — per-task timeout."
      const documented = new RegExp(
        `^# (?:\\w+ / )?${field}(?: / \\w+)? \\((?:optional|required|one of)`,
        "m",
      );
      expect(template, field).toMatch(documented);
    }
  });

  it("keep the guide's knowledge files verbatim", async () => {
    for (const name of ["legal_terms.md", "classification_examples.yaml"]) {
      const shipped = await readFile(path.join(ROOT, "configs/knowledge", name), "utf8");
      expect(shipped).toBe(await readFile(path.join(FIXTURES, "guide-knowledge", name), "utf8"));
    }
  });

  it("keep the guide's YAML verbatim where the guide gives a whole file", async () => {
    const strip = (text: string) =>
      text
        .split("\n")
        .filter(
          (l) =>
            !l.startsWith("# yaml-language-server") &&
            !(
              l.startsWith("#") &&
              !l.startsWith("# configs/") &&
              !l.startsWith("# Force") &&
              !l.startsWith("# Per-tier")
            ),
        )
        .join("\n")
        .trim();
    for (const [shipped, guide] of [
      ["workers/entity_extractor.yaml", "entity_extractor.yaml"],
      ["workers/my_processor.yaml", "my_processor.yaml"],
      ["orchestrators/analysis_pipeline.yaml", "analysis_pipeline.yaml"],
      ["router_rules.yaml", "router_rules.yaml"],
      ["mcp/my_server.yaml", "my_server.yaml"],
    ] as const) {
      const actual = strip(await readFile(path.join(ROOT, "configs", shipped), "utf8"));
      expect(actual, shipped).toBe(strip(await readFile(path.join(GUIDE, guide), "utf8")));
    }
  });
});

/** The guide's gateway example serves /tmp/workspace: the one thing a reader must bring. */
function needsUserData(message: string): boolean {
  return /^(database file|workspace folder) not found: \/tmp\/workspace\b/.test(message);
}
