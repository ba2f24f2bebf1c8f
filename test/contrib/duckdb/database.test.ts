import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSampleDatabase,
  DuckDBQueryBackend,
  openDuckDB,
  SAMPLE_EMBEDDING_DIMENSIONS,
} from "../../../src/contrib/duckdb/index.js";
import { LoomError } from "../../../src/errors.js";
import { tempDir } from "./helpers.js";

let dir: { dir: string; cleanup: () => Promise<void> };

beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.cleanup());

describe("openDuckDB", () => {
  it("shares one instance per file: a writer cannot open while the process reads it read-only", async () => {
    const file = path.join(dir.dir, "shared.duckdb");
    await createSampleDatabase(file);
    const reader = await openDuckDB(file);
    expect(reader.writable).toBe(false);
    const writer = await openDuckDB(file, { readOnly: false }).catch((e: unknown) => e);
    expect(writer).toBeInstanceOf(LoomError);
    expect((writer as LoomError).message).toContain("already open read-only in this process");
    const write = await reader.exec("DELETE FROM documents").catch((e: unknown) => e);
    expect((write as LoomError).code).toBe("backend_error");
    await reader.close();
    // Once every reader has closed, the file can be opened for writing again.
    await using again = await openDuckDB(file, { readOnly: false });
    expect(again.writable).toBe(true);
    await using alsoReader = await openDuckDB(file);
    expect(alsoReader.writable).toBe(true);
  });

  it("returns BIGINT as numbers when they fit, DECIMAL as numbers, huge integers as strings", async () => {
    await using db = await openDuckDB(path.join(dir.dir, "types.duckdb"), { readOnly: false });
    const [row] = await db.query(
      "SELECT count(*) AS n, 12.25::DECIMAL(10,2) AS d, 9007199254740993::BIGINT AS big, [1, 2]::INTEGER[] AS l",
    );
    expect(row).toEqual({ n: 1, d: 12.25, big: "9007199254740993", l: [1, 2] });
  });

  it("two backends on one file in one process share it", async () => {
    const file = path.join(dir.dir, "two.duckdb");
    await createSampleDatabase(file);
    await using a = new DuckDBQueryBackend({ db_path: file, table_name: "documents" });
    await using b = new DuckDBQueryBackend({ db_path: file, table_name: "documents" });
    const [ra, rb] = await Promise.all([
      a.process({ action: "get", id: 1 }),
      b.process({ action: "get", id: 2 }),
    ]);
    expect((ra.output.record as { id: number }).id).toBe(1);
    expect((rb.output.record as { id: number }).id).toBe(2);
  });
});

describe("createSampleDatabase", () => {
  it("builds a deterministic 40-row documents table with the documented columns", async () => {
    const first = path.join(dir.dir, "sample-1.duckdb");
    const second = path.join(dir.dir, "sample-2.duckdb");
    await createSampleDatabase(first);
    await createSampleDatabase(second);
    await createSampleDatabase(first); // replaces, does not append
    const read = async (file: string) => {
      await using db = await openDuckDB(file);
      return {
        columns: await db.describe("documents"),
        rows: await db.query("SELECT * FROM documents ORDER BY id"),
      };
    };
    const a = await read(first);
    const b = await read(second);
    expect(a.rows).toHaveLength(40);
    expect(a.rows).toEqual(b.rows);
    expect(a.columns.map((c) => `${c.name} ${c.type}`)).toEqual([
      "id INTEGER",
      "title VARCHAR",
      "summary VARCHAR",
      "full_text VARCHAR",
      "status VARCHAR",
      "category VARCHAR",
      "score DOUBLE",
      "created_at TIMESTAMP",
      "tags JSON",
      "embedding FLOAT[]",
    ]);
    const row = a.rows[0] as { tags: string; embedding: number[]; full_text: string; summary: string };
    expect(Array.isArray(JSON.parse(row.tags))).toBe(true);
    expect(row.embedding).toHaveLength(SAMPLE_EMBEDDING_DIMENSIONS);
    expect(row.full_text).toContain(row.summary);
    expect(new Set(a.rows.map((r) => r.status)).size).toBeGreaterThan(1);
    expect(new Set(a.rows.map((r) => r.category)).size).toBe(5);
  });
});
