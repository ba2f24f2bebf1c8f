import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BM25_B, BM25_K1, DuckDBQueryBackend, openDuckDB } from "../../../src/contrib/duckdb/index.js";
import { LoomError } from "../../../src/errors.js";
import { tempDir, writeDatabase } from "./helpers.js";

/** A small corpus whose ranking is checked against BM25 computed below, in TypeScript. */
const CORPUS: Array<[number, string, string]> = [
  [1, "Duck ponds", "The mallard is a dabbling duck. Ducks and geese share the pond."],
  [2, "Duck duck goose", "duck duck duck: a children's game played in a circle"],
  [3, "Geese migration", "Geese fly south in autumn; the goose leads the V formation."],
  [4, "Cat care", "The domestic cat is a small carnivorous mammal."],
  [
    5,
    "A very long essay on ponds",
    `${"Pools hold water, frogs, reeds and insects. ".repeat(8)}Once a duck visited.`,
  ],
  [6, "Quackers", "Rubber ducks float; the duck-shaped toy is yellow."],
  [7, "Empty", ""],
];

function tokenize(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t !== "");
}

/** Textbook BM25 (Lucene idf) over title + body, distinct query terms. */
function bm25(query: string): Array<{ id: number; score: number }> {
  const docs = CORPUS.map(([id, title, body]) => ({ id, tokens: tokenize(`${title} ${body}`) }));
  const avgdl = docs.reduce((sum, d) => sum + d.tokens.length, 0) / docs.length;
  const terms = [...new Set(tokenize(query))];
  const scored = docs.map((doc) => {
    let score = 0;
    for (const term of terms) {
      const tf = doc.tokens.filter((t) => t === term).length;
      if (tf === 0) continue;
      const df = docs.filter((d) => d.tokens.includes(term)).length;
      const idf = Math.log(1 + (docs.length - df + 0.5) / (df + 0.5));
      score +=
        (idf * tf * (BM25_K1 + 1)) / (tf + BM25_K1 * (1 - BM25_B + (BM25_B * doc.tokens.length) / avgdl));
    }
    return { id: doc.id, score };
  });
  return scored.filter((s) => s.score > 0).sort((a, b) => b.score - a.score || a.id - b.id);
}

let dir: { dir: string; cleanup: () => Promise<void> };
let dbPath: string;

beforeAll(async () => {
  dir = await tempDir();
  dbPath = path.join(dir.dir, "corpus.duckdb");
  const values = CORPUS.map(
    ([id, title, body]) => `(${id}, '${title.replace(/'/g, "''")}', '${body.replace(/'/g, "''")}')`,
  );
  await writeDatabase(dbPath, [
    "CREATE TABLE notes (id INTEGER, title VARCHAR, body VARCHAR)",
    `INSERT INTO notes VALUES ${values.join(", ")}`,
  ]);
});
afterAll(() => dir.cleanup());

function backend(extra: Record<string, unknown> = {}): DuckDBQueryBackend {
  return new DuckDBQueryBackend({
    db_path: dbPath,
    table_name: "notes",
    search_engine: "bm25_sql",
    ...extra,
  });
}

describe("full-text search, BM25 in SQL (k1 = 1.2, b = 0.75)", () => {
  it.each(["duck", "duck pond", "goose geese", "small cat mammal", "yellow rubber duck toy"])(
    "ranks '%s' in the same order, with the same scores, as BM25 computed independently",
    async (query) => {
      await using search = backend();
      const result = await search.process({ action: "search", query, limit: 100 });
      const got = result.output.results as Array<{ id: number; _relevance: number }>;
      const expected = bm25(query);
      expect(result.output.engine).toBe("bm25_sql");
      expect(got.map((r) => r.id)).toEqual(expected.map((r) => r.id));
      got.forEach((row, i) => {
        expect(row._relevance).toBeCloseTo(expected[i]?.score ?? Number.NaN, 9);
      });
    },
  );

  it("hand-checked: more occurrences rank higher, long documents are normalized, case is ignored", async () => {
    await using search = backend();
    const ids = async (query: string) =>
      ((await search.process({ action: "search", query, limit: 10 })).output.results as { id: number }[]).map(
        (r) => r.id,
      );
    expect((await ids("DUCK"))[0]).toBe(2); // "duck" five times
    const pond = await ids("ponds");
    expect(pond.indexOf(1)).toBeLessThan(pond.indexOf(5)); // same tf, doc 5 is far longer
    expect(await ids("zebra")).toEqual([]);
  });

  it("rebuilds the index when the table changes under a writable instance", async () => {
    await using writer = await openDuckDB(dbPath, { readOnly: false });
    await using search = backend();
    const before = await search.process({ action: "search", query: "platypus" });
    expect(before.output.count).toBe(0);
    await writer.exec("INSERT INTO notes VALUES (8, 'Platypus', 'The platypus is a mammal that lays eggs.')");
    const after = await search.process({ action: "search", query: "platypus" });
    expect((after.output.results as { id: number }[]).map((r) => r.id)).toEqual([8]);
    await writer.exec("DELETE FROM notes WHERE id = 8");
    const removed = await search.process({ action: "search", query: "platypus" });
    expect(removed.output.count).toBe(0);
  });

  it("auto uses the fts extension when it loads and otherwise falls back to bm25_sql", async () => {
    const ftsLoads = await (async () => {
      await using db = await openDuckDB(dbPath);
      return db.exec("LOAD fts").then(
        () => true,
        () => false,
      );
    })();
    await using auto = backend({ search_engine: "auto", read_only: false });
    const result = await auto.process({ action: "search", query: "duck" });
    expect(result.output.engine).toBe(ftsLoads ? "fts" : "bm25_sql");
    expect((result.output.results as { id: number }[])[0]?.id).toBe(2);
    await using forced = backend({ search_engine: "fts" });
    const outcome = await forced.process({ action: "search", query: "duck" }).then(
      (r) => r.output.engine,
      (e: unknown) => e,
    );
    if (ftsLoads) expect(outcome).toBe("fts");
    else {
      expect(outcome).toBeInstanceOf(LoomError);
      expect((outcome as LoomError).message).toContain("fts extension cannot be loaded");
    }
  });
});
