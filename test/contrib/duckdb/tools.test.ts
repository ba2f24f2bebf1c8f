import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModuleRef } from "../../../src/config/module-ref.js";
import {
  createSampleDatabase,
  DuckDBVectorTool,
  DuckDBViewTool,
  hashEmbedding,
  openDuckDB,
} from "../../../src/contrib/duckdb/index.js";
import { LoomError } from "../../../src/errors.js";
import { ToolProvider } from "../../../src/worker/tools.js";
import { cosine, HashEmbedder, tempDir } from "./helpers.js";

let dir: { dir: string; cleanup: () => Promise<void> };
let dbPath: string;

async function direct(sql: string) {
  await using db = await openDuckDB(dbPath);
  return db.query(sql);
}

beforeAll(async () => {
  dir = await tempDir();
  dbPath = path.join(dir.dir, "data.duckdb");
  await createSampleDatabase(dbPath);
  await using db = await openDuckDB(dbPath, { readOnly: false });
  await db.exec(
    "CREATE VIEW summaries AS SELECT id, title, summary, status, score, embedding FROM documents WHERE status <> 'archived'",
  );
});
afterAll(() => dir.cleanup());

describe("DuckDBViewTool", () => {
  it("describes the view's real columns in its definition (the guide's config)", async () => {
    await using tool = new DuckDBViewTool({
      db_path: dbPath,
      view_name: "summaries",
      description: "Search and browse record summaries",
      max_results: 20,
    });
    expect(tool).toBeInstanceOf(ToolProvider);
    const definition = await tool.getDefinition();
    expect(definition.name).toBe("summaries");
    expect(definition.description).toContain("Search and browse record summaries");
    expect(definition.description).toContain("score (DOUBLE)");
    const filters = (
      definition.input_schema.properties as Record<string, { properties: Record<string, unknown> }>
    ).filters;
    expect(Object.keys(filters?.properties ?? {})).toEqual(["id", "title", "summary", "status", "score"]);
  });

  it("search matches text columns case-insensitively; list matches exact values", async () => {
    await using tool = new DuckDBViewTool({ db_path: dbPath, view_name: "summaries", max_results: 50 });
    const search = JSON.parse(await tool.execute({ operation: "search", query: "POLICY" })) as {
      results: { title: string; summary: string }[];
    };
    const expected = await direct(
      "SELECT id FROM summaries WHERE title ILIKE '%policy%' OR summary ILIKE '%policy%' OR status ILIKE '%policy%' ORDER BY id",
    );
    expect(expected.length).toBeGreaterThan(1);
    expect(search.results.map((r) => (r as unknown as { id: number }).id)).toEqual(expected.map((r) => r.id));
    expect(search.results[0]).not.toHaveProperty("embedding");
    const list = JSON.parse(await tool.execute({ operation: "list", filters: { status: "draft" } })) as {
      results: { id: number }[];
    };
    const drafts = await direct("SELECT id FROM summaries WHERE status = 'draft' ORDER BY id");
    expect(list.results.map((r) => r.id)).toEqual(drafts.map((r) => r.id));
  });

  it("caps rows at max_results and rejects unknown operations and columns", async () => {
    await using tool = new DuckDBViewTool({ db_path: dbPath, view_name: "summaries", max_results: 3 });
    const many = JSON.parse(await tool.execute({ operation: "list", limit: 50 })) as { count: number };
    expect(many.count).toBe(3);
    await expect(tool.execute({ operation: "drop" })).rejects.toThrow(
      /operation 'drop' is not one of search, list/,
    );
    await expect(tool.execute({ operation: "list", filters: { colour: "red" } })).rejects.toThrow(
      /cannot filter on 'colour' \(columns: id, title, summary, status, score\)/,
    );
  });

  it("a missing view is a config_error listing what the file has", async () => {
    await using tool = new DuckDBViewTool({ db_path: dbPath, view_name: "nothing" });
    const error = await tool.getDefinition().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoomError);
    expect((error as LoomError).code).toBe("config_error");
    expect((error as LoomError).message).toContain("documents, summaries");
  });
});

describe("DuckDBVectorTool", () => {
  it("ranks rows by cosine similarity to the embedded query (the guide's config)", async () => {
    const embedder = new HashEmbedder();
    const Tool = (await loadModuleRef(
      "loom.contrib.duckdb.DuckDBVectorTool",
      undefined,
    )) as typeof DuckDBVectorTool;
    await using tool = new Tool({
      db_path: dbPath,
      table_name: "documents",
      result_columns: ["id", "title", "summary", "created_at"],
      embedding_column: "embedding",
      tool_name: "find_similar",
      description: "Find semantically similar records",
      embedding_model: "nomic-embed-text",
      embedding_provider: embedder,
    });
    expect(tool.getDefinition()).toMatchObject({
      name: "find_similar",
      description: "Find semantically similar records",
    });
    const query = "cloud storage spend and pricing";
    const result = JSON.parse(await tool.execute({ query, limit: 5 })) as {
      results: { id: number; similarity: number }[];
    };
    const rows = await direct("SELECT id, embedding FROM documents");
    const expected = rows
      .map((r) => ({ id: r.id as number, s: cosine(hashEmbedding(query), r.embedding as number[]) }))
      .sort((a, b) => b.s - a.s)
      .slice(0, 5);
    expect(result.results.map((r) => r.id)).toEqual(expected.map((e) => e.id));
    result.results.forEach((r, i) => {
      expect(r.similarity).toBeCloseTo(expected[i]?.s ?? Number.NaN, 5);
    });
    expect(Object.keys(result.results[0] ?? {})).toEqual([
      "id",
      "title",
      "summary",
      "created_at",
      "similarity",
    ]);
  });

  it("introspects result columns when omitted, leaving out embedding and full_text", async () => {
    await using tool = new DuckDBVectorTool({
      db_path: dbPath,
      table_name: "documents",
      embedding_provider: new HashEmbedder(),
    });
    const result = JSON.parse(await tool.execute({ query: "payroll" })) as {
      results: Record<string, unknown>[];
    };
    expect(Object.keys(result.results[0] ?? {})).toEqual([
      "id",
      "title",
      "summary",
      "status",
      "category",
      "score",
      "created_at",
      "tags",
      "similarity",
    ]);
  });

  it("a query vector of the wrong size is a clear error", async () => {
    const wrongSize = { dimensions: 3, embed: async () => [1, 0, 0], embedBatch: async () => [[1, 0, 0]] };
    await using tool = new DuckDBVectorTool({
      db_path: dbPath,
      table_name: "documents",
      embedding_provider: wrongSize,
    });
    await expect(tool.execute({ query: "x" })).rejects.toThrow(
      /returned 3-dimensional vectors but 'embedding' holds 64/,
    );
  });

  it("a missing table is a config_error listing what the file has; a later call retries", async () => {
    const file = path.join(dir.dir, "later.duckdb");
    await using tool = new DuckDBVectorTool({
      db_path: file,
      table_name: "records",
      embedding_provider: new HashEmbedder(),
    });
    const noFile = await tool.execute({ query: "x" }).catch((e: unknown) => e);
    expect((noFile as LoomError).message).toContain("no DuckDB file");
    await createSampleDatabase(file);
    const noTable = await tool.execute({ query: "x" }).catch((e: unknown) => e);
    expect(noTable).toBeInstanceOf(LoomError);
    expect((noTable as LoomError).code).toBe("config_error");
    expect((noTable as LoomError).message).toMatch(
      /config\.table_name: no table or view 'records' in '.*later\.duckdb' \(has: documents\)/,
    );
  });
});
