/**
 * The project bench/mcp.ts serves: 20 processor workers (each an async echo backend), 3 pipelines
 * over them, and one DuckDB query entry with 5 actions over the sample `documents` table — the
 * "20 workers, 3 pipelines, 5 query tools" of issue 8. Written to a temporary folder.
 */
import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";

export const WORKER_COUNT = 20;
export const PIPELINE_COUNT = 3;
export const QUERY_ACTIONS = ["search", "filter", "stats", "get", "vector_search"];

/** A bench project on disk. */
export interface BenchProject {
  dir: string;
  /** The MCP config serving everything. */
  mcpConfig: string;
  /** Number of tools it serves. */
  toolCount: number;
}

/** The echo processor module bench workers name (`../backends/echo.js#EchoBackend`). */
export const echoBackend = (repo: string) => `// Echo processor for bench/mcp.ts.
import { ProcessingBackend } from ${JSON.stringify(pathToFileURL(path.join(repo, "dist/worker/processor.js")).href)};

export class EchoBackend extends ProcessingBackend {
  async process(payload) {
    return { output: { text: payload.text }, model_used: "echo" };
  }
}
`;

// Every worker's schemas differ (descriptions, an optional field), as in a real project, so no
// cache keyed by schema content makes the many look like one.
/** A bench worker config named `name`, in a workers/ folder beside backends/. */
export const worker = (name: string) => `name: ${name}
description: "Returns its input (bench worker ${name})"
worker_kind: processor
processing_backend: "../backends/echo.js#EchoBackend"
input_schema:
  type: object
  required: [text]
  properties:
    text: { type: string, description: "Text for ${name}" }
    ${name}_option: { type: integer, minimum: 0 }
  additionalProperties: false
output_schema:
  type: object
  required: [text]
  properties: { text: { type: string, description: "Text from ${name}" } }
`;

const pipeline = (name: string, first: string, second: string) => `name: ${name}
pipeline_stages:
  - name: first
    worker_type: ${first}
    input_mapping: { text: "goal.context.text" }
  - name: second
    worker_type: ${second}
    input_mapping: { text: "first.output.text" }
`;

/** Writes the bench project; `repo` is the Loom checkout (its dist/ must be built). */
export async function writeBenchProject(repo: string): Promise<BenchProject> {
  const dir = await mkdtemp(path.join(tmpdir(), "loom-bench-mcp-"));
  for (const sub of ["workers", "orchestrators", "backends", "mcp"]) await mkdir(path.join(dir, sub));
  await writeFile(path.join(dir, "backends/echo.js"), echoBackend(repo));
  const names = Array.from({ length: WORKER_COUNT }, (_, i) => (i === 0 ? "echo" : `echo_${i + 1}`));
  for (const name of names) await writeFile(path.join(dir, `workers/${name}.yaml`), worker(name));
  const pipelines = Array.from({ length: PIPELINE_COUNT }, (_, i) => `flow_${i + 1}`);
  for (const [i, name] of pipelines.entries()) {
    await writeFile(
      path.join(dir, `orchestrators/${name}.yaml`),
      pipeline(name, names[i + 1] ?? "echo", names[i + 2] ?? "echo"),
    );
  }
  const mcpConfig = path.join(dir, "mcp/bench.yaml");
  await writeFile(
    mcpConfig,
    [
      "name: bench",
      "tools:",
      "  workers:",
      ...names.map((n) => `    - config: ../workers/${n}.yaml`),
      "  pipelines:",
      ...pipelines.map((p) => `    - config: ../orchestrators/${p}.yaml\n      name: run_${p}`),
      "  queries:",
      '    - backend: "loom.contrib.duckdb.DuckDBQueryBackend"',
      `      actions: [${QUERY_ACTIONS.join(", ")}]`,
      "      name_prefix: docs",
      "      backend_config:",
      "        db_path: ../data/docs.duckdb",
      "        sample_data: true",
      "        table_name: documents",
      "        result_columns: [id, title, summary]",
      '        filter_fields: { status: "status = ?", category: "category = ?" }',
      "        stats_groups: [status, category]",
      "",
    ].join("\n"),
  );
  return { dir, mcpConfig, toolCount: WORKER_COUNT + PIPELINE_COUNT + QUERY_ACTIONS.length };
}
