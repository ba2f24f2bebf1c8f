import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSampleDatabase,
  DuckDBQueryBackend,
  DuckDBVectorTool,
  hashEmbedding,
  openDuckDB,
} from "../../../src/contrib/duckdb/index.js";
import { type FakeLlm, startFakeLlm } from "../../fixtures/fake-llm-server.js";
import { cosine, tempDir } from "./helpers.js";

let dir: { dir: string; cleanup: () => Promise<void> };
let dbPath: string;
let llm: FakeLlm;

/** The top `limit` ids by cosine similarity, computed in TypeScript from the stored vectors. */
async function expectedTop(query: string, limit: number): Promise<number[]> {
  await using db = await openDuckDB(dbPath);
  const rows = await db.query("SELECT id, embedding FROM documents");
  return rows
    .map((r) => ({ id: r.id as number, s: cosine(hashEmbedding(query), r.embedding as number[]) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, limit)
    .map((r) => r.id);
}

beforeAll(async () => {
  dir = await tempDir();
  dbPath = path.join(dir.dir, "data.duckdb");
  await createSampleDatabase(dbPath);
  llm = await startFakeLlm();
  // The fake Ollama embeds like the sample data was embedded.
  llm.setResponder((request) => ({
    embeddings: (request.userText ?? "").split("\n").map((t) => hashEmbedding(t)),
  }));
});
afterAll(async () => {
  await llm.close();
  await dir.cleanup();
});

describe("vector search through Ollama's /api/embed", () => {
  it("the backend embeds the query with the configured model and ranks by cosine similarity", async () => {
    // backend_config exactly as YAML would pass it: no injected provider.
    await using backend = new DuckDBQueryBackend({
      db_path: dbPath,
      table_name: "documents",
      result_columns: ["id", "title"],
      embedding_model: "nomic-embed-text",
      embedding_base_url: llm.url,
    });
    const query = "security review of uploads";
    const result = await backend.process({ action: "vector_search", query, limit: 4 });
    const embeds = llm.requests.filter((r) => r.kind === "embed");
    expect(embeds.at(-1)?.path).toBe("/api/embed");
    expect(embeds.at(-1)?.model).toBe("nomic-embed-text");
    expect(embeds.at(-1)?.userText).toBe(query);
    const ids = (result.output.results as { id: number }[]).map((r) => r.id);
    expect(ids).toEqual(await expectedTop(query, 4));
  });

  it("the vector tool uses ollama_url and embedding_model from its config", async () => {
    await using tool = new DuckDBVectorTool({
      db_path: dbPath,
      table_name: "documents",
      tool_name: "find_similar",
      embedding_model: "my-embedder",
      ollama_url: llm.url,
    });
    const query = "travel expenses and receipts";
    const result = JSON.parse(await tool.execute({ query, limit: 3 })) as { results: { id: number }[] };
    expect(llm.requests.at(-1)?.model).toBe("my-embedder");
    expect(result.results.map((r) => r.id)).toEqual(await expectedTop(query, 3));
  });

  it("an embedding service that fails surfaces as an error, not as empty results", async () => {
    llm.enqueue({ status: 404, message: 'model "nomic-embed-text" not found', endpoint: "embed" });
    await using tool = new DuckDBVectorTool({
      db_path: dbPath,
      table_name: "documents",
      ollama_url: llm.url,
    });
    await expect(tool.execute({ query: "anything" })).rejects.toThrow(/not found/);
  });
});
