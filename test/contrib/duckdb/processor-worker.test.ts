import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WorkerConfig } from "../../../src/config/types.js";
import { createSampleDatabase, openDuckDB } from "../../../src/contrib/duckdb/index.js";
import { closeProcessors, runProcessor } from "../../../src/worker/processor-runner.js";
import { workerConfig } from "../../fixtures/worker-config.js";
import { tempDir } from "./helpers.js";

let dir: { dir: string; cleanup: () => Promise<void> };
let dbPath: string;

function worker(backendConfig: Record<string, unknown>): WorkerConfig {
  return workerConfig({
    name: "my_query_worker",
    workerKind: "processor",
    processingBackend: "loom.contrib.duckdb.DuckDBQueryBackend",
    backendConfig,
    timeoutSeconds: 30,
  });
}

beforeAll(async () => {
  dir = await tempDir();
  dbPath = path.join(dir.dir, "data.duckdb");
  await createSampleDatabase(dbPath);
});
afterAll(async () => {
  await closeProcessors();
  await dir.cleanup();
});

describe("DuckDBQueryBackend as a processor worker's backend", () => {
  it("is constructed from backend_config (snake_case keys, as YAML gives them) and answers tasks", async () => {
    const config = worker({
      db_path: dbPath,
      table_name: "documents",
      result_columns: ["id", "title", "category"],
      filter_fields: { category: "category = ?" },
      stats_groups: ["category"],
    });
    const stats = await runProcessor(config, { action: "stats", group_by: "category" });
    await using db = await openDuckDB(dbPath);
    const expected = await db.query(
      "SELECT category, count(*) AS count FROM documents GROUP BY 1 ORDER BY 1",
    );
    expect(stats.output.groups).toEqual(expected);
    const filtered = await runProcessor(config, { action: "filter", category: "legal", limit: 2 });
    expect(filtered.output.results).toEqual(
      await db.query(
        "SELECT id, title, category FROM documents WHERE category = 'legal' ORDER BY id LIMIT 2",
      ),
    );
  });

  it("a payload mistake reaches the caller as invalid_input with the backend's message", async () => {
    const config = worker({ db_path: dbPath, table_name: "documents", stats_groups: ["category"] });
    const failure = runProcessor(config, { action: "stats", group_by: "title" });
    await expect(failure).rejects.toThrow(/cannot group by 'title' \(group_by: category\)/);
    await expect(failure).rejects.toMatchObject({ code: "invalid_input" });
  });
});
