/**
 * Measuring helpers of bench/duckdb.ts and bench/scale.ts: build a synthetic `documents` table of
 * any size, then time each query action through DuckDBQueryBackend against the same SQL run
 * directly on a connection to the same file (prepared once, rows read as JSON).
 *
 * Both sides run in the same process on the same file, one call each in turn, and each side's
 * time is the median of its calls, so load from other processes hits both alike.
 */
import { performance } from "node:perf_hooks";
import { DOUBLE, type DuckDBValue, LIST, listValue } from "@duckdb/node-api";
import { bm25SearchSql, FullTextIndex } from "../src/contrib/duckdb/full-text-index.js";
import { DuckDBQueryBackend, hashEmbedding, openDuckDB } from "../src/contrib/duckdb/index.js";
import { prepareVectorRanking } from "../src/contrib/duckdb/vector-search.js";
import type { EmbeddingProvider } from "../src/worker/embeddings.js";
import { median } from "./_stats.js";

const WORDS = `data report policy cloud payment refund customer search latency index vector model contract
  invoice budget release incident outage storage backup migration schema query cache cluster metric alert
  deploy review audit privacy consent license vendor pricing churn survey interview feature roadmap design
  security upload session token account billing support ticket escalation agent onboarding training`.split(
  /\s+/,
);

const embedder: EmbeddingProvider = {
  dimensions: 32,
  embed: async (text) => hashEmbedding(text, 32),
  embedBatch: async (texts) => texts.map((t) => hashEmbedding(t, 32)),
};

/** The actions measured, with the calls each side makes by default. */
export const DUCKDB_CALLS = { search: 80, filter: 150, stats: 200, get: 400, vector_search: 80 } as const;
export type DuckDBAction = keyof typeof DUCKDB_CALLS;

/** One action's medians. */
export interface DuckDBActionTime {
  action: DuckDBAction;
  calls: number;
  backendMs: number;
  directMs: number;
}

/** What {@link measureDuckDBActions} measured. */
export interface DuckDBMeasurement {
  /**
   * The bm25_sql token index: through the backend (first search until its index is current: a
   * build, or a check of the side file's), and a TEMP build directly.
   */
  indexBuildMs: { backend: number; direct: number };
  actions: DuckDBActionTime[];
}

/** Options of {@link measureDuckDBActions}. */
export interface DuckDBMeasureOptions {
  rows: number;
  /** @default every action */
  actions?: readonly DuckDBAction[];
  /** Calls per action: a function of the default count. @default the default */
  calls?: (action: DuckDBAction, defaultCalls: number) => number;
}

/**
 * Creates `documents` with `rows` rows in `file`: skewed synthetic text (so few words are common),
 * a status, a category, a score, a timestamp, a JSON column and a 32-float embedding.
 */
export async function buildDocumentsTable(file: string, rows: number): Promise<void> {
  await using db = await openDuckDB(file, { readOnly: false });
  const words = `[${WORDS.map((w) => `'${w}'`).join(", ")}]`;
  // Token k of row i: a third from a small list of common words, the rest from a 20k-word
  // synthetic vocabulary ("w123"); both skewed (powers of a uniform) so few words are common.
  const u = (salt: string) => `((hash(i, k, '${salt}') % 1000000) / 1000000.0)`;
  const text = (n: number, salt: string) =>
    `array_to_string(list_transform(range(${n}), k -> CASE WHEN hash(i, k, '${salt}x') % 3 = 0` +
    ` THEN ${words}[1 + floor(${WORDS.length} * pow(${u(salt)}, 2))::INTEGER]` +
    ` ELSE 'w' || floor(20000 * pow(${u(salt)}, 3))::INTEGER END), ' ')`;
  await db.exec(
    `CREATE TABLE documents AS SELECT i AS id, ${text(6, "t")} AS title, ${text(20, "s")} AS summary,` +
      ` ${text(60, "f")} AS full_text, ['published', 'draft', 'archived'][1 + i % 3] AS status,` +
      ` ['engineering', 'legal', 'finance', 'support', 'research'][1 + (hash(i, 'c') % 5)::INTEGER] AS category,` +
      ` round((hash(i, 'score') % 1000) / 100.0, 2) AS score, TIMESTAMP '2024-01-01' + to_minutes(i::BIGINT) AS created_at,` +
      ` '["tag"]' AS tags, list_transform(range(32), k -> ((hash(i, k, 'e') % 2000) / 1000.0 - 1))::FLOAT[] AS embedding` +
      ` FROM range(${rows}) t(i)`,
  );
}

interface Case {
  action: DuckDBAction;
  payload: (i: number) => Record<string, unknown>;
  direct: (i: number) => Promise<unknown>;
}

/** Times each action through the backend and directly, on a file built by {@link buildDocumentsTable}. */
export async function measureDuckDBActions(
  file: string,
  options: DuckDBMeasureOptions,
): Promise<DuckDBMeasurement> {
  const rows = options.rows;
  const backendOptions = {
    db_path: file,
    table_name: "documents",
    result_columns: ["id", "title", "status", "score", "created_at", "tags"],
    json_columns: ["tags"],
    fts_fields: ["title", "summary", "full_text"],
    search_engine: "bm25_sql" as const,
    filter_fields: { status: "status = ?", min_score: "score >= ?" },
    stats_groups: ["status", "category"],
    stats_aggregates: ["COUNT(*) AS record_count", "ROUND(AVG(score), 2) AS avg_score"],
    default_order_by: "created_at DESC",
    embedding_provider: embedder,
  };
  const wanted = new Set(options.actions ?? (Object.keys(DUCKDB_CALLS) as DuckDBAction[]));
  await using backend = new DuckDBQueryBackend(backendOptions);
  await using session = await openDuckDB(file);
  const indexBuildMs = { backend: 0, direct: 0 };
  if (wanted.has("search")) {
    let started = performance.now();
    await backend.process({ action: "search", query: "warm up" });
    // The index is built (or checked) in the background: measure searches once it is current.
    await backend.searchIndexStatus({ wait: true });
    indexBuildMs.backend = performance.now() - started;
    started = performance.now();
    await new FullTextIndex(session, {
      table: "documents",
      idColumn: "id",
      fields: backendOptions.fts_fields,
      engine: "bm25_sql",
    }).ensure();
    indexBuildMs.direct = performance.now() - started;
  }

  const connection = session.connection;
  const select = backendOptions.result_columns.map((c) => `t."${c}"`).join(", ");
  const prepared = new Map<string, Awaited<ReturnType<typeof connection.prepare>>>();
  const direct = async (sql: string, values: DuckDBValue[], types?: DuckDBValue[]) => {
    let statement = prepared.get(sql);
    if (!statement) {
      statement = await connection.prepare(sql);
      prepared.set(sql, statement);
    }
    statement.bind(values, types as never);
    const result = (await statement.runAndReadAll()).getRowObjectsJson();
    for (const row of result) if (typeof row.tags === "string") row.tags = JSON.parse(row.tags);
    return result;
  };
  const where = ' FROM main."documents" t WHERE (status = ?) AND (score >= ?)';
  const word = (i: number) => `${WORDS[(i * 7) % WORDS.length]} w${(i * 37) % 400}`;
  const cases: Case[] = [
    {
      action: "search",
      payload: (i) => ({ action: "search", query: word(i) }),
      direct: (i) => direct(bm25SearchSql({ table: "documents", idColumn: "id", select }), [word(i), 20]),
    },
    {
      action: "filter",
      payload: (i) => ({ action: "filter", status: "draft", min_score: i % 9 }),
      direct: async (i) => {
        await direct(`SELECT count(*) AS total${where}`, ["draft", i % 9]);
        return direct(`SELECT ${select}${where} ORDER BY "created_at" DESC LIMIT ? OFFSET ?`, [
          "draft",
          i % 9,
          20,
          0,
        ]);
      },
    },
    {
      action: "stats",
      payload: () => ({ action: "stats", group_by: "category" }),
      direct: () =>
        direct(
          'SELECT t."category", COUNT(*) AS record_count, ROUND(AVG(score), 2) AS avg_score FROM main."documents" t' +
            ' GROUP BY t."category" ORDER BY t."category" NULLS LAST',
          [],
        ),
    },
    {
      action: "get",
      payload: (i) => ({ action: "get", id: (i * 7919) % rows }),
      direct: (i) =>
        direct('SELECT * EXCLUDE ("embedding") FROM main."documents" WHERE "id" = ? LIMIT 1', [
          (i * 7919) % rows,
        ]),
    },
  ];
  if (wanted.has("vector_search")) {
    const ranking = await prepareVectorRanking(session, {
      table: "documents",
      column: "embedding",
      select,
      columnType: "FLOAT[]",
    });
    cases.push({
      action: "vector_search",
      payload: (i) => ({ action: "vector_search", query: word(i) }),
      direct: async (i) =>
        direct(ranking.sql, [listValue(await embedder.embed(word(i))), 20], [LIST(DOUBLE) as never]),
    });
  }

  const actions: DuckDBActionTime[] = [];
  for (const c of cases.filter((x) => wanted.has(x.action))) {
    const calls = Math.max(
      3,
      Math.round(options.calls?.(c.action, DUCKDB_CALLS[c.action]) ?? DUCKDB_CALLS[c.action]),
    );
    const backendMs: number[] = [];
    const directMs: number[] = [];
    for (let i = 0; i < 3; i++) {
      await backend.process(c.payload(i));
      await c.direct(i);
    }
    // One call each in turn (order flipped every other call), so load from other processes and
    // cache warmth hit both sides alike; medians ignore the outliers.
    for (let i = 0; i < calls; i++) {
      const sides: Array<[number[], () => Promise<unknown>]> = [
        [backendMs, () => backend.process(c.payload(i))],
        [directMs, () => c.direct(i)],
      ];
      if (i % 2 === 1) sides.reverse();
      for (const [times, call] of sides) {
        const started = performance.now();
        await call();
        times.push(performance.now() - started);
      }
    }
    actions.push({ action: c.action, calls, backendMs: median(backendMs), directMs: median(directMs) });
  }
  for (const statement of prepared.values()) statement.destroySync();
  return { indexBuildMs, actions };
}
