import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModuleRef } from "../../../src/config/module-ref.js";
import {
  createSampleDatabase,
  DuckDBQueryBackend,
  type DuckDBQueryBackendOptions,
  openDuckDB,
} from "../../../src/contrib/duckdb/index.js";
import { LoomError } from "../../../src/errors.js";
import { ProcessingBackend } from "../../../src/worker/processor.js";
import { HashEmbedder, tempDir } from "./helpers.js";

let dir: { dir: string; cleanup: () => Promise<void> };
let dbPath: string;

/** The guide's subclass example, in TypeScript: schema defaults fixed, db_path from backend_config. */
class MyQueryBackend extends DuckDBQueryBackend {
  constructor(options: { db_path?: string } = {}) {
    super({
      db_path: options.db_path ?? "/tmp/workspace/data.duckdb",
      table_name: "documents",
      result_columns: ["id", "title", "status", "created_at", "tags"],
      json_columns: new Set(["tags"]),
      filter_fields: { status: "status = ?", min_score: "score >= ?", since: "created_at >= ?" },
      stats_groups: new Set(["status", "category"]),
      stats_aggregates: ["COUNT(*) AS record_count", "ROUND(AVG(score), 2) AS avg_score"],
      default_order_by: "created_at DESC",
    });
  }
}

async function direct(sql: string, values: (string | number)[] = []) {
  await using db = await openDuckDB(dbPath);
  return db.query(sql, values);
}

async function errorOf(promise: Promise<unknown>): Promise<LoomError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(LoomError);
  return error as LoomError;
}

beforeAll(async () => {
  dir = await tempDir();
  dbPath = path.join(dir.dir, "data.duckdb");
  await createSampleDatabase(dbPath);
});
afterAll(() => dir.cleanup());

describe("DuckDBQueryBackend", () => {
  it("a subclass sets schema defaults and takes db_path from backend_config, as in the guide", async () => {
    await using backend = new MyQueryBackend({ db_path: dbPath });
    expect(backend).toBeInstanceOf(ProcessingBackend);
    const result = await backend.process({ action: "filter", status: "draft", limit: 100 }, {});
    const expected = await direct("SELECT id FROM documents WHERE status = 'draft' ORDER BY created_at DESC");
    expect(result.model_used).toBe("duckdb");
    expect(result.output.action).toBe("filter");
    expect((result.output.results as { id: number }[]).map((r) => r.id)).toEqual(expected.map((r) => r.id));
    expect(result.output.total).toBe(expected.length);
  });

  it("is reachable by the guide's dotted name", async () => {
    const Loaded = await loadModuleRef("loom.contrib.duckdb.query_backend.DuckDBQueryBackend", undefined);
    expect(Loaded).toBe(DuckDBQueryBackend);
  });

  it("filter ANDs the given predicates, pages, and reports the total", async () => {
    await using backend = new MyQueryBackend({ db_path: dbPath });
    const first = await backend.process({ action: "filter", status: "published", min_score: 7, limit: 2 });
    const second = await backend.process({
      action: "filter",
      status: "published",
      min_score: 7,
      limit: 2,
      offset: 2,
    });
    const expected = await direct(
      "SELECT id FROM documents WHERE status = ? AND score >= ? ORDER BY created_at DESC",
      ["published", 7],
    );
    expect(expected.length).toBeGreaterThan(3);
    const ids = [
      ...(first.output.results as { id: number }[]),
      ...(second.output.results as { id: number }[]),
    ];
    expect(ids.map((r) => r.id)).toEqual(expected.slice(0, 4).map((r) => r.id));
    expect(first.output.total).toBe(expected.length);
    expect(first.output.count).toBe(2);
  });

  it("filter binds a date string to a TIMESTAMP predicate and decodes JSON columns", async () => {
    await using backend = new MyQueryBackend({ db_path: dbPath });
    const result = await backend.process({ action: "filter", since: "2024-04-01", limit: 100 });
    const expected = await direct(
      "SELECT count(*) AS n FROM documents WHERE created_at >= DATE '2024-04-01'",
    );
    expect(result.output.total).toBe(expected[0]?.n);
    const first = (result.output.results as { tags: unknown; created_at: string }[])[0];
    expect(Array.isArray(first?.tags)).toBe(true);
    expect((first?.created_at ?? "") >= "2024-04-01").toBe(true);
  });

  it("limits default to 20 and are capped at 100", async () => {
    await writeWide();
    await using backend = new DuckDBQueryBackend({ db_path: dbPath, table_name: "wide" });
    const byDefault = await backend.process({ action: "filter" });
    const capped = await backend.process({ action: "filter", limit: 1000 });
    expect(byDefault.output.count).toBe(20);
    expect(capped.output.count).toBe(100);
    expect(capped.output.total).toBe(150);
    const error = await errorOf(backend.process({ action: "filter", limit: 0 }));
    expect(error.code).toBe("invalid_input");
    expect(error.message).toContain("limit");
  });

  it("stats groups by an allowed column with the configured aggregates, and filters", async () => {
    await using backend = new MyQueryBackend({ db_path: dbPath });
    const result = await backend.process({ action: "stats", group_by: "category", status: "published" });
    const expected = await direct(
      "SELECT category, count(*) AS record_count, round(avg(score), 2) AS avg_score FROM documents" +
        " WHERE status = 'published' GROUP BY category ORDER BY category",
    );
    expect(result.output.groups).toEqual(expected);
    const totals = await backend.process({ action: "stats" });
    expect(totals.output.groups).toEqual(
      await direct("SELECT count(*) AS record_count, round(avg(score), 2) AS avg_score FROM documents"),
    );
  });

  it("get returns one record with its full text and without the embedding", async () => {
    await using backend = new MyQueryBackend({ db_path: dbPath });
    const result = await backend.process({ action: "get", id: 7 });
    const [expected] = await direct("SELECT full_text, title FROM documents WHERE id = 7");
    const record = result.output.record as Record<string, unknown>;
    expect(record.full_text).toBe(expected?.full_text);
    expect(record.title).toBe(expected?.title);
    expect(record).not.toHaveProperty("embedding");
    expect(Array.isArray(record.tags)).toBe(true);
  });

  it("search ranks by BM25 and says which engine answered", async () => {
    await using backend = new MyQueryBackend({ db_path: dbPath });
    const result = await backend.process({
      action: "search",
      query: "idempotent payment webhooks",
      limit: 3,
    });
    const results = result.output.results as { id: number; title: string; _relevance: number }[];
    expect(["fts", "bm25_sql"]).toContain(result.output.engine);
    expect(results[0]?.title).toBe("Designing idempotent payment webhooks");
    const relevance = results.map((r) => r._relevance);
    expect(relevance).toEqual([...relevance].sort((a, b) => b - a));
    expect(Object.keys(results[0] ?? {})).toEqual([
      "id",
      "title",
      "status",
      "created_at",
      "tags",
      "_relevance",
    ]);
  });

  it("vector_search embeds the query and ranks by cosine similarity", async () => {
    const embedder = new HashEmbedder();
    await using backend = new DuckDBQueryBackend({
      ...sampleOptions(),
      embedding_provider: embedder,
    });
    const result = await backend.process({
      action: "vector_search",
      query: "refund annual subscription",
      limit: 3,
    });
    expect(embedder.queries).toEqual(["refund annual subscription"]);
    const results = result.output.results as { title: string; similarity: number }[];
    expect(results).toHaveLength(3);
    expect(results[0]?.title).toBe("Refund policy for annual subscriptions");
    expect(results[0]?.similarity).toBeGreaterThan(results[1]?.similarity ?? 1);
  });

  it("errors name what is allowed: unknown action, filter field, group_by; missing record", async () => {
    await using backend = new MyQueryBackend({ db_path: dbPath });
    const action = await errorOf(backend.process({ action: "delete" }));
    expect(action.code).toBe("invalid_input");
    expect(action.message).toContain("search, filter, stats, get, vector_search");
    const field = await errorOf(backend.process({ action: "filter", colour: "red" }));
    expect(field.message).toContain("'colour'");
    expect(field.message).toContain("status, min_score, since");
    const group = await errorOf(backend.process({ action: "stats", group_by: "title" }));
    expect(group.message).toContain("status, category");
    const missing = await errorOf(backend.process({ action: "get", id: 4040 }));
    expect(missing.code).toBe("invalid_input");
    expect(missing.message).toContain("no record in 'documents' with id = 4040");
    const query = await errorOf(backend.process({ action: "search", query: "  " }));
    expect(query.message).toContain("'query' must be a non-empty string");
  });

  it("configuration mistakes are config_errors naming the key and what exists", async () => {
    expect(() => new DuckDBQueryBackend({ db_path: dbPath, table_name: "documents; DROP TABLE x" })).toThrow(
      /table_name: 'documents; DROP TABLE x' is not a valid identifier/,
    );
    await using noTable = new DuckDBQueryBackend({ db_path: dbPath, table_name: "records" });
    const table = await errorOf(noTable.process({ action: "filter" }));
    expect(table.code).toBe("config_error");
    expect(table.message).toContain("documents");
    await using badColumn = new DuckDBQueryBackend({ ...sampleOptions(), result_columns: ["id", "colour"] });
    const column = await errorOf(badColumn.process({ action: "filter" }));
    expect(column.message).toMatch(/result_columns: 'documents' has no column 'colour' \(columns: id, title/);
    await using badPredicate = new DuckDBQueryBackend({
      ...sampleOptions(),
      filter_fields: { x: "colour = ?" },
    });
    const predicate = await errorOf(badPredicate.process({ action: "filter" }));
    expect(predicate.message).toContain("filter_fields.x");
    const missingFile = await errorOf(
      new DuckDBQueryBackend({ db_path: path.join(dir.dir, "nope.duckdb"), table_name: "t" }).process({
        action: "filter",
      }),
    );
    expect(missingFile.code).toBe("config_error");
    expect(missingFile.message).toContain("no DuckDB file");
  });

  it("actionSchemas types filter fields from the real column types", async () => {
    await using backend = new MyQueryBackend({ db_path: dbPath });
    const schemas = await backend.actionSchemas(["search", "filter", "stats", "get"]);
    const props = (action: string) =>
      (schemas[action]?.inputSchema.properties ?? {}) as Record<string, { type?: string; enum?: string[] }>;
    const filter = props("filter");
    expect(filter.status?.type).toBe("string");
    expect(filter.min_score?.type).toBe("number");
    expect(Object.keys(filter)).toEqual(["status", "min_score", "since", "limit", "offset"]);
    expect(props("stats").group_by?.enum).toEqual(["status", "category"]);
    expect(props("get").id?.type).toBe("integer");
    expect(schemas.search?.inputSchema.required).toEqual(["query"]);
    expect(schemas.search?.description).toContain("documents");
    const unknown = await errorOf(backend.actionSchemas(["search", "drop"]));
    expect(unknown.code).toBe("config_error");
  });

  it("serves concurrent calls on its one connection", async () => {
    await using backend = new MyQueryBackend({ db_path: dbPath });
    const calls = Array.from({ length: 12 }, (_, i) =>
      backend.process(i % 2 === 0 ? { action: "get", id: i + 1 } : { action: "search", query: "policy" }),
    );
    const results = await Promise.all(calls);
    expect(
      results.filter((r) => r.output.action === "get").map((r) => (r.output.record as { id: number }).id),
    ).toEqual([1, 3, 5, 7, 9, 11]);
  });
});

function sampleOptions(): DuckDBQueryBackendOptions {
  return { db_path: dbPath, table_name: "documents", json_columns: ["tags"] };
}

async function writeWide(): Promise<void> {
  await using db = await openDuckDB(dbPath, { readOnly: false });
  await db.exec(
    "CREATE OR REPLACE TABLE wide AS SELECT range AS id, 'row ' || range AS label FROM range(150)",
  );
}
