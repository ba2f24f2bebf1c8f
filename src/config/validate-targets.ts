/**
 * Which files `loom validate` checks: the files given, every config in a folder, or (`--all`)
 * every config under the project's `configs/` folder.
 */
import { existsSync, statSync } from "node:fs";
import { readdir } from "node:fs/promises";
import path from "node:path";
import { LoomError } from "../errors.js";
import { isYamlFile } from "./workers-dir.js";

/**
 * Folders that hold data rather than configs (knowledge files, workspaces), skipped in a walk; eval
 * suites (`evals/`) are checked by `loom eval` and the Workshop, which read them.
 */
const SKIPPED_FOLDERS = new Set(["knowledge", "workspace", "evals", "node_modules"]);

/** The nearest `configs/` folder at or above `cwd`. Throws a `config_error` when there is none. */
export function findConfigsDir(cwd: string = process.cwd()): string {
  let dir = path.resolve(cwd);
  for (;;) {
    const candidate = path.join(dir, "configs");
    if (existsSync(candidate) && statSync(candidate).isDirectory()) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) {
      throw new LoomError(
        "config_error",
        `no configs/ folder in ${path.resolve(cwd)} or above it (--all looks for one)`,
      );
    }
    dir = parent;
  }
}

/** Every YAML file under `dir`, sorted, skipping knowledge and workspace folders and dot-folders. */
export async function configFilesIn(dir: string): Promise<string[]> {
  const files: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true });
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!entry.name.startsWith(".") && !SKIPPED_FOLDERS.has(entry.name))
        files.push(...(await configFilesIn(full)));
    } else if (entry.isFile() && isYamlFile(entry.name)) files.push(full);
  }
  return files;
}

/**
 * Expands command-line targets into config files: a file stays itself, a folder becomes every config
 * in it. Throws a `config_error` for a target that does not exist.
 */
export async function expandTargets(targets: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const target of targets) {
    if (!existsSync(target)) throw new LoomError("config_error", `no such file or folder: ${target}`);
    if (statSync(target).isDirectory()) files.push(...(await configFilesIn(target)));
    else files.push(target);
  }
  return [...new Set(files)];
}
