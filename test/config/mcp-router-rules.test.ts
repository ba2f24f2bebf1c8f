/** MCP gateway configs (Part 12) and router rules (Part 7): broken variants are rejected in place. */
import path from "node:path";
import { describe, expect, it } from "vitest";
import { validateConfigFile } from "../../src/config/index.js";
import { errorsOf, issueAt, ROOT, tempDir, validateText } from "./helpers.js";

const SUMMARIZER = path.join(ROOT, "configs/workers/summarizer.yaml");
const PIPELINE = path.join(ROOT, "configs/orchestrators/rag_pipeline.yaml");

describe("MCP gateway rules", () => {
  it("a gateway with a worker, a pipeline and a query backend is valid", async () => {
    const { issues } = await validateText(
      `name: s\ntools:\n  workers:\n    - config: ${SUMMARIZER}\n  pipelines:\n    - config: ${PIPELINE}\n      name: ingest\n`,
    );
    expect(issues).toEqual([]);
  });

  it("a referenced config must exist and be of the right kind", async () => {
    const { issues } = await validateText(
      `name: s\ntools:\n  workers:\n    - config: nowhere.yaml\n    - config: ${PIPELINE}\n`,
    );
    expect(issueAt(issues, "tools.workers[0].config")).toMatchObject({
      line: 4,
      column: 15,
      message: expect.stringMatching(/^worker config not found: .*nowhere\.yaml$/),
    });
    expect(issueAt(issues, "tools.workers[1].config").message).toMatch(
      /rag_pipeline\.yaml is a pipeline config; expected a worker config$/,
    );
  });

  it("a referenced config with errors is reported with its first error", async () => {
    const tmp = await tempDir();
    try {
      await tmp.write("w.yaml", "name: w\ndefault_model_tier: fast\n");
      const file = await tmp.write("mcp.yaml", "name: s\ntools:\n  workers:\n    - config: w.yaml\n");
      const { issues } = await validateConfigFile(file);
      expect(issueAt(issues, "tools.workers[0].config").message).toMatch(
        /^worker config has 2 error\(s\); first: .*w\.yaml:/,
      );
    } finally {
      await tmp.cleanup();
    }
  });

  it("a pipeline entry needs a tool name; tool names are unique", async () => {
    const { issues } = await validateText(
      `name: s\ntools:\n  workers:\n    - config: ${SUMMARIZER}\n  pipelines:\n    - config: ${PIPELINE}\n    - config: ${PIPELINE}\n      name: summarizer\n`,
    );
    expect(issueAt(issues, "tools.pipelines[0].name")).toMatchObject({
      line: 6,
      column: 7,
      message: "required field 'name' is missing",
    });
    expect(issueAt(issues, "tools.pipelines[1].name")).toMatchObject({
      line: 8,
      column: 13,
      message: "duplicate tool name 'summarizer' (also tools.workers[0])",
    });
  });

  it("query actions and name_prefix are checked", async () => {
    const { issues } = await validateText(
      `name: s\ntools:\n  queries:\n    - backend: loom.contrib.duckdb.DuckDBQueryBackend\n      actions: [search, delete]\n      name_prefix: "my docs"\n`,
    );
    expect(issueAt(issues, "tools.queries[0].actions[1]")).toMatchObject({
      line: 5,
      column: 25,
      message: "must be one of search, filter, stats, get, vector_search (got 'delete')",
    });
    expect(issueAt(issues, "tools.queries[0].name_prefix").message).toMatch(/an MCP tool name/);
  });

  it("name is required; backends must be module refs; resources need a workspace_dir", async () => {
    const { issues, file } = await validateText(
      `description: d\ntools:\n  queries:\n    - backend: "my backend"\n      actions: [search]\n      name_prefix: q\n    - backend: "./nope.js#Q"\n      actions: [get]\n      name_prefix: r\nresources:\n  patterns: ["*.md"]\n`,
      { kind: "mcp" },
    );
    expect(issueAt(issues, "name")).toMatchObject({
      file,
      line: 1,
      column: 1,
      severity: "error",
      message: "required field 'name' is missing",
    });
    expect(issueAt(issues, "tools.queries[0].backend")).toMatchObject({
      line: 4,
      column: 16,
      severity: "error",
      message: expect.stringMatching(/^expected "<module>#<ExportName>" .*\(got 'my backend'\)$/),
    });
    expect(issueAt(issues, "tools.queries[1].backend")).toMatchObject({
      line: 7,
      column: 16,
      severity: "warning",
      message: expect.stringMatching(
        /^cannot load module '\.\/nope\.js' \(from '\.\/nope\.js#Q'\): not found \(looked for .*nope\.js\) — running it fails/,
      ),
    });
    expect(issueAt(issues, "resources.workspace_dir")).toMatchObject({
      line: 11,
      column: 3,
      severity: "error",
      message: "required field 'workspace_dir' is missing",
    });
  });

  it("a gateway that exposes nothing is a warning", async () => {
    const { issues } = await validateText("name: s\nnats_url: nats://localhost:4222\n");
    expect(issues).toEqual([
      expect.objectContaining({
        line: 1,
        column: 1,
        path: "",
        severity: "warning",
        message: expect.stringMatching(/^this gateway exposes nothing/),
      }),
    ]);
  });

  it("unknown keys are warnings with the nearest known key", async () => {
    const { issues } = await validateText(
      `name: s\nresources:\n  workspace_dir: /tmp/ws\n  pattern: ["*.md"]\n`,
    );
    expect(issueAt(issues, "resources.pattern")).toMatchObject({
      line: 4,
      column: 3,
      severity: "warning",
      message: "unknown key 'pattern' is ignored — did you mean 'patterns'?",
    });
  });
});

describe("router rules", () => {
  it("tier_overrides values must be tiers", async () => {
    const { issues } = await validateText(`tier_overrides:\n  entity_extractor: fast\n`);
    expect(issueAt(issues, "tier_overrides.entity_extractor")).toMatchObject({
      line: 2,
      column: 21,
      message: "must be local, standard or frontier (got 'fast')",
    });
  });

  it("rate_limits keys must be tiers and limits positive", async () => {
    const { issues } = await validateText(
      `rate_limits:\n  loca:\n    max_concurrent: 4\n  standard:\n    max_concurrent: 0\n    tokens_per_min: 5\n`,
    );
    expect(issueAt(issues, "rate_limits.loca")).toMatchObject({
      line: 2,
      column: 3,
      severity: "error",
      message: "unknown key 'loca': expected one of local, standard, frontier — did you mean 'local'?",
    });
    expect(issueAt(issues, "rate_limits.standard.max_concurrent")).toMatchObject({
      line: 5,
      column: 21,
      message: "must be a positive integer (got 0)",
    });
    expect(issueAt(issues, "rate_limits.standard.tokens_per_min")).toMatchObject({
      severity: "warning",
      message: expect.stringMatching(/did you mean 'tokens_per_minute'\?/),
    });
  });

  it("tier_overrides naming no known worker is a warning when the workers folder is known", async () => {
    const tmp = await tempDir();
    try {
      await tmp.write("workers/summarizer.yaml", "name: summarizer\nsystem_prompt: x\n");
      const file = await tmp.write("router_rules.yaml", "tier_overrides:\n  sumarizer: local\n");
      const { issues } = await validateConfigFile(file);
      expect(issueAt(issues, "tier_overrides.sumarizer")).toMatchObject({
        line: 2,
        column: 3,
        severity: "warning",
        message: expect.stringMatching(/did you mean 'summarizer'\?$/),
      });
      expect(errorsOf(issues)).toEqual([]);
    } finally {
      await tmp.cleanup();
    }
  });
});
