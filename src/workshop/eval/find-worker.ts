/**
 * Finds a worker's YAML file from what a user types: a worker name (looked up in the configs
 * folder's `workers/`) or a path to a worker YAML file.
 */
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import { didYouMean } from "../../config/issue-collector.js";
import { isYamlFile } from "../../config/workers-dir.js";
import { LoomError } from "../../errors.js";

/** The folder worker names are looked up in: `<configsDir>/workers`, else `configsDir` itself. */
export function workersDirOf(configsDir: string): string {
  const workers = path.resolve(configsDir, "workers");
  return existsSync(workers) ? workers : path.resolve(configsDir);
}

/**
 * The YAML file of a worker. `nameOrPath` is a file path when it ends in `.yaml`/`.yml` or names
 * an existing file; else a worker `name:` defined in the configs folder's workers. Throws
 * `invalid_input` for an unknown name, listing the known ones (and the closest).
 *
 * @example await findWorkerFile("configs", "entity_extractor") // ".../configs/workers/entity_extractor.yaml"
 */
export async function findWorkerFile(configsDir: string, nameOrPath: string): Promise<string> {
  if (isYamlFile(nameOrPath) || nameOrPath.includes("/") || nameOrPath.includes(path.sep)) {
    if (existsSync(nameOrPath)) return path.resolve(nameOrPath);
    throw new LoomError("invalid_input", `worker file ${nameOrPath} does not exist`, {
      details: { file: nameOrPath },
    });
  }
  const dir = workersDirOf(configsDir);
  const workers = await workerFilesIn(dir);
  const file = workers.get(nameOrPath);
  if (file) return file;
  const known = [...workers.keys()].sort();
  throw new LoomError(
    "invalid_input",
    `unknown worker '${nameOrPath}' in ${dir} (workers: ${known.join(", ") || "none"})${didYouMean(nameOrPath, known)}`,
    { details: { worker: nameOrPath, workers_dir: dir, known } },
  );
}

/** Worker name → file, for the YAML files of `dir` (`_`-prefixed files and unparsable ones skipped). */
async function workerFilesIn(dir: string): Promise<Map<string, string>> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  const workers = new Map<string, string>();
  for (const entry of entries.sort()) {
    if (!isYamlFile(entry) || entry.startsWith("_")) continue;
    const file = path.join(dir, entry);
    try {
      const name = (parse(await readFile(file, "utf8")) as Record<string, unknown> | null)?.name;
      if (typeof name === "string" && !workers.has(name)) workers.set(name, file);
    } catch {
      // a file that does not parse is reported when it is loaded or validated
    }
  }
  return workers;
}
