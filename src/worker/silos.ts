/**
 * Folder knowledge silos (Part 8 of the guide): reading a silo folder into text, and applying the
 * `silo_updates` a model returns for `mode: readwrite` silos.
 *
 * Update rules (chosen so a model cannot silently destroy knowledge):
 * - `add` creates a file; it fails when the file already exists (use `modify`).
 * - `modify` replaces an existing file; it fails when the file does not exist (use `add`).
 * - `delete` removes a file; deleting a file that is already gone does nothing.
 * - Every update of a batch is checked before any is applied, so a bad batch changes nothing.
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import ignore, { type Ignore } from "ignore";
import type { FolderSilo, WorkerConfig } from "../config/types.js";
import { LoomError } from "../errors.js";
import { WorkspaceManager } from "../workspace/workspace-manager.js";
import { workerPath } from "./worker-path.js";

/** One change a model asks for in a readwrite silo (`silo_updates[]` of its output). */
export interface SiloUpdate {
  silo: string;
  action: "add" | "modify" | "delete";
  /** Path inside the silo folder (`sub/file.md`); never absolute, never `..`. */
  filename: string;
  /** New file content; required for `add` and `modify`. */
  content?: string;
}

const ACTIONS: readonly SiloUpdate["action"][] = ["add", "modify", "delete"];

/** The ignore file read in every silo folder (gitignore syntax). */
export const SILO_IGNORE_FILE = ".siloignore";

/**
 * Splits `silo_updates` off a model's output. Returns the output without it (what gets validated
 * and passed downstream) and the parsed updates. Throws LoomError `invalid_output` naming the
 * entry when `silo_updates` is not an array of `{silo, action, filename, content?}`.
 */
export function extractSiloUpdates(output: Record<string, unknown>): {
  output: Record<string, unknown>;
  updates: SiloUpdate[];
} {
  if (!("silo_updates" in output)) return { output, updates: [] };
  const { silo_updates: raw, ...rest } = output;
  if (raw === undefined || raw === null) return { output: rest, updates: [] };
  if (!Array.isArray(raw)) {
    throw new LoomError("invalid_output", `silo_updates must be an array of updates (got ${typeof raw})`);
  }
  const updates = raw.map((entry: unknown, i): SiloUpdate => {
    const where = `silo_updates[${i}]`;
    const bad = (why: string): never => {
      throw new LoomError("invalid_output", `${where}: ${why}`, { details: { index: i, update: entry } });
    };
    if (typeof entry !== "object" || entry === null || Array.isArray(entry)) return bad("must be an object");
    const e = entry as Record<string, unknown>;
    if (typeof e.silo !== "string" || e.silo === "") return bad("'silo' must name a silo");
    if (!ACTIONS.includes(e.action as SiloUpdate["action"])) {
      return bad(`'action' must be one of ${ACTIONS.join(", ")} (got ${JSON.stringify(e.action)})`);
    }
    if (typeof e.filename !== "string" || e.filename === "") return bad("'filename' must be a file path");
    const action = e.action as SiloUpdate["action"];
    if (action !== "delete" && typeof e.content !== "string") {
      return bad(`'content' must be a string for action '${action}'`);
    }
    return action === "delete"
      ? { silo: e.silo, action, filename: e.filename }
      : { silo: e.silo, action, filename: e.filename, content: e.content as string };
  });
  return { output: rest, updates };
}

/**
 * Applies updates to the worker's readwrite folder silos. Call it only after the output has
 * validated. Throws LoomError `invalid_output` when an update names an unknown or read-only silo,
 * adds an existing file or modifies a missing one, and `workspace_error` when a filename would
 * leave the silo folder; in every such case nothing is written.
 */
export async function applySiloUpdates(config: WorkerConfig, updates: SiloUpdate[]): Promise<void> {
  if (updates.length === 0) return;
  const folders = new Map(
    (config.knowledgeSilos ?? [])
      .filter((s): s is FolderSilo => s.type === "folder")
      .map((s) => [s.name, s] as const),
  );
  const plan = updates.map((update, i) => {
    const where = `silo_updates[${i}]`;
    const fail = (why: string): never => {
      throw new LoomError("invalid_output", `${where}: ${why}`, {
        details: { index: i, silo: update.silo, filename: update.filename },
      });
    };
    const silo = folders.get(update.silo);
    if (!silo) {
      const writable = [...folders.values()].filter((s) => s.mode === "readwrite").map((s) => s.name);
      return fail(
        `unknown silo '${update.silo}' for worker '${config.name}' (readwrite silos: ${writable.join(", ") || "none"})`,
      );
    }
    if (silo.mode !== "readwrite") return fail(`silo '${silo.name}' is read-only (mode: ${silo.mode})`);
    const workspace = new WorkspaceManager(siloFolder(config, silo));
    let file: string;
    try {
      file = workspace.resolve(update.filename);
    } catch (cause) {
      if (!(cause instanceof LoomError)) throw cause;
      throw new LoomError("workspace_error", `${where}: ${cause.message}`, { details: cause.details, cause });
    }
    if (file === workspace.root) return fail(`'filename' must name a file inside silo '${silo.name}'`);
    const exists = workspace.exists(update.filename);
    if (update.action === "add" && exists) {
      return fail(
        `'${update.filename}' already exists in silo '${silo.name}'; use action 'modify' to change it`,
      );
    }
    if (update.action === "modify" && !exists) {
      return fail(
        `'${update.filename}' does not exist in silo '${silo.name}'; use action 'add' to create it`,
      );
    }
    return { update, workspace };
  });
  for (const { update, workspace } of plan) {
    if (update.action === "delete") await workspace.remove(update.filename);
    else await workspace.writeText(update.filename, update.content ?? "");
  }
}

/** The absolute folder of a silo; a relative path is taken from the config file's folder. */
export function siloFolder(config: WorkerConfig, silo: FolderSilo): string {
  return workerPath(config, silo.path);
}

/** One file of a silo folder: its path relative to the folder (with `/`) and its text. */
export interface SiloFile {
  path: string;
  text: string;
}

/**
 * Reads every text file of a silo folder, recursively, sorted by path. `.siloignore` files (in the
 * folder or any subfolder) exclude paths with gitignore semantics; binary files (a NUL byte in
 * the first 8 KiB), symlinks (they could lead out of the folder) and the `.siloignore` files
 * themselves are skipped.
 */
export async function readSiloFolder(folder: string): Promise<SiloFile[]> {
  const files: SiloFile[] = [];
  await walk(folder, "", [], files);
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

interface IgnoreScope {
  base: string;
  rules: Ignore;
}

async function walk(root: string, rel: string, scopes: IgnoreScope[], out: SiloFile[]): Promise<void> {
  const dir = path.join(root, rel);
  const entries = await readdir(dir, { withFileTypes: true });
  const local = entries.find((e) => e.name === SILO_IGNORE_FILE && e.isFile());
  const active = local
    ? [
        ...scopes,
        { base: rel, rules: ignore().add(await readFile(path.join(dir, SILO_IGNORE_FILE), "utf8")) },
      ]
    : scopes;
  for (const entry of entries) {
    if (entry.name === SILO_IGNORE_FILE) continue;
    const relPath = rel === "" ? entry.name : `${rel}/${entry.name}`;
    const isDir = entry.isDirectory();
    if (!isDir && !entry.isFile()) continue;
    if (isIgnored(active, relPath, isDir)) continue;
    if (isDir) {
      await walk(root, relPath, active, out);
      continue;
    }
    const bytes = await readFile(path.join(root, relPath));
    if (bytes.subarray(0, 8192).includes(0)) continue;
    out.push({ path: relPath, text: bytes.toString("utf8") });
  }
}

/** Like git: a deeper ignore file may re-include (`!pattern`) what an outer one excluded. */
function isIgnored(scopes: IgnoreScope[], relPath: string, isDir: boolean): boolean {
  let ignored = false;
  for (const { base, rules } of scopes) {
    const local = base === "" ? relPath : relPath.slice(base.length + 1);
    const verdict = rules.test(isDir ? `${local}/` : local);
    if (verdict.ignored) ignored = true;
    else if (verdict.unignored) ignored = false;
  }
  return ignored;
}
