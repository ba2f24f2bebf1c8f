/** Where a path written in a worker config points on disk. */
import path from "node:path";
import { resolveConfigPath } from "../config/paths.js";
import type { WorkerConfig } from "../config/types.js";

/**
 * The absolute path of `p` (a knowledge file, silo folder or workspace_dir) as the config loader
 * resolves it: absolute paths stay; a relative one is found from the config file's folder or an
 * ancestor of it (the guide's `configs/knowledge/…` from `configs/workers/x.yaml`), or from the
 * current directory for a config built in code without `sourcePath`.
 *
 * @example workerPath(worker, "configs/knowledge/legal_terms.md")
 */
export function workerPath(config: WorkerConfig, p: string): string {
  return config.sourcePath ? resolveConfigPath(config.sourcePath, p) : path.resolve(p);
}
