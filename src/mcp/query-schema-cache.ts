/**
 * A disk cache of the action schemas of built-in DuckDB query entries. Describing the actions
 * needs DuckDB (filter fields are typed from the table's real columns), which costs a native
 * library load, a database open and ~40 MB of memory at every start. The schemas only change
 * when the database file, the entry or Loom itself changes, so they are cached under the user's
 * cache folder keyed by all three; DuckDB is then loaded on the first query call instead.
 */
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loomCacheDir, writeCacheFile } from "../config/cache-dir.js";
import type { JsonSchema, McpQueryEntry } from "../config/types.js";

/** What a backend's `actionSchemas` returns. */
export type ActionSchemas = Record<string, { description: string; inputSchema: JsonSchema }>;

// The code that generates the schemas: a change to it (a new Loom build) invalidates the cache.
const GENERATOR = fileURLToPath(new URL("../contrib/duckdb/action-schemas.js", import.meta.url));

function stamp(file: string): string {
  try {
    const info = statSync(file);
    return `${info.size}:${info.mtimeMs}`;
  } catch {
    return "missing";
  }
}

/**
 * The cache file for an entry, or undefined when its schemas must not be cached (a backend that
 * is not the built-in DuckDB one, or no database file yet).
 */
function cacheFile(entry: McpQueryEntry, env: NodeJS.ProcessEnv): string | undefined {
  const dbPath = entry.backendConfig.db_path;
  if (!entry.backend.startsWith("loom.contrib.duckdb.") || typeof dbPath !== "string") return undefined;
  const db = stamp(dbPath);
  if (db === "missing") return undefined;
  const key = JSON.stringify({
    backend: entry.backend,
    actions: entry.actions,
    config: entry.backendConfig,
    db,
    wal: stamp(`${dbPath}.wal`),
    generator: stamp(GENERATOR),
  });
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 32);
  return path.join(loomCacheDir(env), "action-schemas", `${hash}.json`);
}

/**
 * The cached schemas of `entry`, or — on a miss — those `describe` returns, written to the cache
 * for the next start (best effort: an unwritable cache folder only costs the next start time).
 */
export async function cachedActionSchemas(
  entry: McpQueryEntry,
  describe: () => Promise<ActionSchemas>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ActionSchemas> {
  const file = cacheFile(entry, env);
  if (file) {
    try {
      return JSON.parse(await readFile(file, "utf8")) as ActionSchemas;
    } catch {
      // a miss (or a damaged entry): describe again
    }
  }
  const schemas = await describe();
  if (file) await writeCacheFile(file, JSON.stringify(schemas));
  return schemas;
}
