/**
 * Where a query entry's database lives. A relative `backend_config.db_path` is resolved against
 * the MCP config, like every other path in it. An entry with `sample_data: true` (the quick-start
 * config) gets the sample `documents` database created on first start when the file is missing —
 * beside the config when that folder is writable, else in the user's cache folder.
 */
import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { loomCacheDir } from "../config/cache-dir.js";
import { resolveConfigPath } from "../config/paths.js";
import type { McpQueryEntry } from "../config/types.js";
import { errorMessage, LoomError } from "../errors.js";
import type { GatewayLogger } from "./logger.js";

/**
 * The entry with an absolute `db_path` (and without the gateway-only `sample_data` key), after
 * creating the sample database when asked and missing.
 */
export async function prepareQueryEntry(
  entry: McpQueryEntry,
  mcpConfigFile: string | undefined,
  logger: GatewayLogger,
): Promise<McpQueryEntry> {
  const { sample_data: sampleData, ...backendConfig } = entry.backendConfig;
  const dbPath = backendConfig.db_path;
  if (typeof dbPath !== "string" || dbPath === "") return { ...entry, backendConfig };
  let resolved = mcpConfigFile ? resolveConfigPath(mcpConfigFile, dbPath) : path.resolve(dbPath);
  if (sampleData === true && !existsSync(resolved)) {
    resolved = await createSample(resolved, logger);
  }
  return { ...entry, backendConfig: { ...backendConfig, db_path: resolved } };
}

/** Creates the sample database at `target`, or in the cache folder when `target` is not writable. */
async function createSample(target: string, logger: GatewayLogger): Promise<string> {
  const { createSampleDatabase } = await import("../contrib/duckdb/index.js");
  const fallback = path.join(loomCacheDir(), path.basename(target));
  if (existsSync(fallback)) return fallback; // made on an earlier start, when `target` was not writable
  for (const candidate of [target, fallback]) {
    try {
      await mkdir(path.dirname(candidate), { recursive: true });
      await createSampleDatabase(candidate);
      logger.info({ db_path: candidate }, "created the sample DuckDB database");
      return candidate;
    } catch (error) {
      logger.warn(
        { db_path: candidate, error: errorMessage(error) },
        "cannot create the sample database here",
      );
    }
  }
  throw new LoomError(
    "config_error",
    `cannot create the sample database at '${target}' or '${fallback}': make one of these folders writable, ` +
      "or point backend_config.db_path at an existing DuckDB file",
    { details: { db_path: target, fallback } },
  );
}
