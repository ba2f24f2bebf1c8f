/**
 * The workers folder a pipeline's `worker_type`s are checked against: given, or found beside the
 * config (`configs/orchestrators/x.yaml` → `configs/workers/`, `configs/router_rules.yaml` →
 * `configs/workers/`).
 */
import { existsSync, statSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { yamlLib } from "./yaml-lib.js";

/** True for YAML file names. */
export function isYamlFile(name: string): boolean {
  return /\.ya?ml$/i.test(name);
}

/** `workers/` in the config's folder or its parent, if there is one. */
export function findWorkersDir(configFile: string): string | undefined {
  const dir = path.dirname(path.resolve(configFile));
  for (const base of [dir, path.dirname(dir)]) {
    const candidate = path.join(base, "workers");
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
  }
  return undefined;
}

/**
 * The worker names defined in a folder's YAML files (the `name` field; `_template.yaml` and other
 * `_`-prefixed files are skipped). Files that do not parse are ignored here; validating them
 * reports their problems.
 */
export async function workerNamesIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  for (const entry of (await readdir(dir)).sort()) {
    if (!isYamlFile(entry) || entry.startsWith("_")) continue;
    try {
      const data: unknown = yamlLib().parse(await readFile(path.join(dir, entry), "utf8"));
      const name = (data as Record<string, unknown> | null)?.name;
      if (typeof name === "string") names.push(name);
    } catch {
      // reported when the file itself is validated
    }
  }
  return names;
}
