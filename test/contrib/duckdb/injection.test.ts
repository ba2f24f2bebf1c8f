import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createSampleDatabase,
  DuckDBQueryBackend,
  DuckDBVectorTool,
  DuckDBViewTool,
  openDuckDB,
} from "../../../src/contrib/duckdb/index.js";
import { LoomError } from "../../../src/errors.js";
import { HashEmbedder, tempDir } from "./helpers.js";

/** Strings that would change the statement if they were ever pasted into SQL text. */
const ATTACKS = [
  "'; DROP TABLE documents; --",
  "1 OR 1=1",
  "x' OR '1'='1",
  '"; DELETE FROM documents; --',
  "%' OR title ILIKE '%",
  "1); ATTACH '/tmp/evil.duckdb' AS evil; --",
];

let dir: { dir: string; cleanup: () => Promise<void> };
let dbPath: string;
let backend: DuckDBQueryBackend;

async function rowCount(): Promise<number> {
  await using db = await openDuckDB(dbPath);
  const [row] = await db.query("SELECT count(*) AS n FROM documents");
  return Number(row?.n);
}

/** Runs a call; returns its output, or the LoomError it threw (anything else fails the test). */
async function attempt(call: Promise<unknown>): Promise<unknown> {
  return call.catch((error: unknown) => {
    expect(error).toBeInstanceOf(LoomError);
    return error;
  });
}

beforeAll(async () => {
  dir = await tempDir();
  dbPath = path.join(dir.dir, "data.duckdb");
  await createSampleDatabase(dbPath);
  backend = new DuckDBQueryBackend({
    db_path: dbPath,
    table_name: "documents",
    filter_fields: { status: "status = ?", min_score: "score >= ?" },
    stats_groups: ["status"],
    embedding_provider: new HashEmbedder(),
  });
});
afterAll(async () => {
  await backend.close();
  await dir.cleanup();
});

describe("payload values never become SQL", () => {
  it.each(ATTACKS)("search and vector_search treat %j as words", async (attack) => {
    const search = (await backend.process({ action: "search", query: attack, limit: 100 })).output;
    const vector = (await backend.process({ action: "vector_search", query: attack })).output;
    expect(search.engine).toBe("bm25_sql");
    // Only words of the attack can match: every hit contains one of them.
    const words = attack
      .toLowerCase()
      .split(/[^a-z0-9]+/)
      .filter(Boolean);
    for (const row of search.results as { title: string; summary: string; full_text: string }[]) {
      const text = `${row.title} ${row.summary} ${row.full_text}`.toLowerCase();
      expect(words.some((w) => text.split(/[^a-z0-9]+/).includes(w))).toBe(true);
    }
    expect(Array.isArray(vector.results)).toBe(true);
    expect(await rowCount()).toBe(40);
  });

  it.each(ATTACKS)("filter, stats and get bind %j as a value", async (attack) => {
    const filter = (await backend.process({ action: "filter", status: attack })).output;
    expect(filter.total).toBe(0);
    const stats = (await backend.process({ action: "stats", group_by: "status", status: attack })).output;
    expect(stats.groups).toEqual([]);
    const get = await attempt(backend.process({ action: "get", id: attack }));
    expect((get as LoomError).code).toBe("invalid_input");
    const score = await attempt(backend.process({ action: "filter", min_score: attack }));
    expect((score as LoomError).code).toBe("invalid_input");
    expect(await rowCount()).toBe(40);
  });

  it("huge whole numbers are the caller's values, never a backend error", async () => {
    // -1e308 is a whole number to JavaScript; bound as BIGINT it overflowed (issue #11).
    const all = (await backend.process({ action: "filter", min_score: -1e308 })).output;
    expect(all.total).toBe(40);
    const none = (await backend.process({ action: "filter", min_score: 1e300 })).output;
    expect(none.total).toBe(0);
    const offset = (await attempt(backend.process({ action: "filter", offset: 1e20 }))) as LoomError;
    expect(offset.code).toBe("invalid_input");
    expect(offset.message).toMatch(
      /offset must be a whole number from 0 to 9007199254740991 \(got 100000000000000000000\)/,
    );
  });

  it.each(ATTACKS)("%j as a filter name, group_by, action, limit or offset is refused", async (attack) => {
    const asKey = await attempt(backend.process({ action: "filter", [attack]: "x" }));
    expect((asKey as LoomError).message).toContain("unknown filter field");
    const asGroup = await attempt(backend.process({ action: "stats", group_by: attack }));
    expect((asGroup as LoomError).message).toContain("cannot group by");
    const asAction = await attempt(backend.process({ action: attack }));
    expect((asAction as LoomError).message).toContain("is not a query action");
    const asLimit = await attempt(backend.process({ action: "filter", limit: attack }));
    expect((asLimit as LoomError).message).toContain("limit must be a positive integer");
    const asOffset = await attempt(backend.process({ action: "filter", offset: attack }));
    expect((asOffset as LoomError).message).toContain("offset must be a whole number from 0");
    expect(await rowCount()).toBe(40);
  });

  it("non-scalar filter values are refused", async () => {
    const error = await attempt(backend.process({ action: "filter", status: ["draft", "published"] }));
    expect((error as LoomError).code).toBe("invalid_input");
  });

  it.each(ATTACKS)(
    "the view tool binds %j in search text and filter values, and refuses it as a column",
    async (attack) => {
      await using tool = new DuckDBViewTool({ db_path: dbPath, view_name: "documents", max_results: 50 });
      const search = JSON.parse(await tool.execute({ operation: "search", query: attack })) as {
        count: number;
      };
      // ILIKE wildcards in the text are escaped, so '%' matches only a literal '%'.
      expect(search.count).toBe(0);
      const list = JSON.parse(await tool.execute({ operation: "list", filters: { status: attack } })) as {
        count: number;
      };
      expect(list.count).toBe(0);
      const column = await attempt(tool.execute({ operation: "list", filters: { [attack]: 1 } }));
      expect((column as LoomError).message).toContain("cannot filter on");
      expect(await rowCount()).toBe(40);
    },
  );

  it("the vector tool embeds hostile text as text", async () => {
    const embedder = new HashEmbedder();
    await using tool = new DuckDBVectorTool({
      db_path: dbPath,
      table_name: "documents",
      embedding_provider: embedder,
    });
    for (const attack of ATTACKS) {
      const result = JSON.parse(await tool.execute({ query: attack, limit: 3 })) as { count: number };
      expect(result.count).toBeLessThanOrEqual(3);
    }
    expect(embedder.queries).toEqual(ATTACKS);
    expect(await rowCount()).toBe(40);
  });

  it("configured names must be identifiers", () => {
    for (const attack of ATTACKS) {
      expect(() => new DuckDBQueryBackend({ db_path: dbPath, table_name: attack })).toThrow(
        /not a valid identifier/,
      );
      expect(
        () => new DuckDBQueryBackend({ db_path: dbPath, table_name: "documents", id_column: attack }),
      ).toThrow(/id_column/);
      expect(() => new DuckDBViewTool({ db_path: dbPath, view_name: attack })).toThrow(/view_name/);
      expect(
        () => new DuckDBQueryBackend({ db_path: dbPath, table_name: "documents", default_order_by: attack }),
      ).toThrow(/default_order_by/);
    }
  });
});
