/** Shared setup for the DuckDB tests: real DuckDB files in a temp folder. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { hashEmbedding, openDuckDB } from "../../../src/contrib/duckdb/index.js";
import type { EmbeddingProvider } from "../../../src/worker/embeddings.js";

/** A fresh temp folder and a cleanup function. */
export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "loom-duckdb-"));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes a DuckDB file with `statements` run in order, then closes it. */
export async function writeDatabase(file: string, statements: string[]): Promise<void> {
  await using db = await openDuckDB(file, { readOnly: false });
  for (const sql of statements) await db.exec(sql);
}

/** An in-process embedder using the sample hashing embedding; records every query it embeds. */
export class HashEmbedder implements EmbeddingProvider {
  readonly queries: string[] = [];
  readonly dimensions: number | undefined = undefined;
  async embed(text: string): Promise<number[]> {
    this.queries.push(text);
    return hashEmbedding(text);
  }
  async embedBatch(texts: string[]): Promise<number[][]> {
    return Promise.all(texts.map((t) => this.embed(t)));
  }
}

/** Cosine similarity, computed in TypeScript to check DuckDB's ranking independently. */
export function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += (a[i] ?? 0) * (b[i] ?? 0);
    na += (a[i] ?? 0) ** 2;
    nb += (b[i] ?? 0) ** 2;
  }
  return dot / (Math.sqrt(na) * Math.sqrt(nb));
}
