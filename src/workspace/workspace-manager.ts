/**
 * Safe file access inside one workspace folder (Part 6 of the guide). Every ref is checked
 * lexically (no `..`, no absolute path, no NUL byte, no backslash) and then against the real
 * path on disk, so a symlink cannot lead out of the workspace either.
 */
import { randomBytes } from "node:crypto";
import { lstatSync, realpathSync } from "node:fs";
import { mkdir, readFile, rename, rm, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { WorkspaceError } from "./workspace-error.js";

/**
 * Reads and writes files inside a workspace folder, refusing any ref that would leave it.
 *
 * @example
 * const ws = new WorkspaceManager("/tmp/my-workspace");
 * const doc = await ws.readJson("report_extracted.json");
 * await ws.writeJson("result.json", { status: "done" });
 */
export class WorkspaceManager {
  /** The workspace folder, absolute. */
  readonly root: string;

  /** @param root the workspace folder; a relative path is taken from the current directory. */
  constructor(root: string) {
    if (typeof root !== "string" || root === "" || root.includes("\0")) {
      throw new WorkspaceError(`workspace root must be a non-empty path (got ${JSON.stringify(root)})`, {
        details: { root },
      });
    }
    this.root = path.resolve(root);
  }

  /**
   * The absolute path of `ref` inside the workspace. Throws {@link WorkspaceError} when the ref
   * is empty, absolute, contains `..`, a NUL byte or a backslash, or when its real path (or, for
   * a file not yet created, the real path of its nearest existing ancestor) lies outside the
   * workspace.
   */
  resolve(ref: string): string {
    const refuse = (why: string): never => {
      throw new WorkspaceError(
        `workspace ref ${JSON.stringify(ref)} refused: ${why} (workspace: ${this.root})`,
        {
          details: { ref, root: this.root, reason: why },
        },
      );
    };
    if (typeof ref !== "string" || ref.trim() === "") return refuse("it is empty");
    if (ref.includes("\0")) return refuse("it contains a NUL byte");
    if (ref.includes("\\")) return refuse("backslash separators are not allowed; use '/'");
    if (path.isAbsolute(ref) || /^[a-zA-Z]:/.test(ref)) {
      return refuse("absolute paths are not allowed; give a path relative to the workspace");
    }
    if (ref.split("/").includes("..")) return refuse("'..' segments are not allowed");
    const target = path.resolve(this.root, ref);
    if (!isInside(this.root, target)) return refuse("it points outside the workspace");
    const realRoot = realPathOfNearest(this.root) ?? this.root;
    const realTarget = realPathOfNearest(target);
    if (realTarget === undefined) return refuse("it passes through a dangling symlink");
    if (!isInside(realRoot, realTarget)) return refuse("a symlink leads outside the workspace");
    return target;
  }

  /** Reads and parses a JSON file; a missing or unparsable file is a {@link WorkspaceError}. */
  async readJson(ref: string): Promise<unknown> {
    const text = await this.readText(ref);
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new WorkspaceError(`workspace file '${ref}' is not valid JSON: ${(cause as Error).message}`, {
        details: { ref, root: this.root, reason: "invalid_json" },
        cause,
      });
    }
  }

  /** Reads a UTF-8 text file; a missing file is a {@link WorkspaceError}. */
  async readText(ref: string): Promise<string> {
    const file = this.resolve(ref);
    try {
      return await readFile(file, "utf8");
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code;
      const why = code === "ENOENT" ? "file not found" : code === "EISDIR" ? "it is a folder" : String(cause);
      throw new WorkspaceError(`cannot read workspace file '${ref}' (${file}): ${why}`, {
        details: { ref, root: this.root, reason: code ?? "read_failed" },
        cause,
      });
    }
  }

  /** Writes `value` as pretty-printed JSON, atomically. */
  async writeJson(ref: string, value: unknown): Promise<void> {
    await this.writeText(ref, `${JSON.stringify(value, null, 2)}\n`);
  }

  /**
   * Writes a UTF-8 text file atomically: the text goes to a temporary file in the same folder,
   * which is then renamed over the target, so a reader never sees a half-written file.
   * Missing parent folders are created.
   */
  async writeText(ref: string, text: string): Promise<void> {
    const file = this.resolve(ref);
    if (file === this.root) {
      throw new WorkspaceError(`cannot write workspace ref '${ref}': it names the workspace folder itself`, {
        details: { ref, root: this.root, reason: "is_root" },
      });
    }
    const dir = path.dirname(file);
    const temp = path.join(
      dir,
      `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`,
    );
    try {
      await mkdir(dir, { recursive: true });
      // Re-check after creating folders: a folder created concurrently could be a symlink.
      this.resolve(ref);
      await writeFile(temp, text, "utf8");
      await rename(temp, file);
    } catch (cause) {
      await rm(temp, { force: true });
      if (cause instanceof WorkspaceError) throw cause;
      throw new WorkspaceError(`cannot write workspace file '${ref}' (${file}): ${String(cause)}`, {
        details: { ref, root: this.root, reason: "write_failed" },
        cause,
      });
    }
  }

  /** Deletes a file. Returns false when it did not exist. */
  async remove(ref: string): Promise<boolean> {
    const file = this.resolve(ref);
    try {
      await unlink(file);
      return true;
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === "ENOENT") return false;
      throw new WorkspaceError(`cannot delete workspace file '${ref}' (${file}): ${String(cause)}`, {
        details: { ref, root: this.root, reason: "delete_failed" },
        cause,
      });
    }
  }

  /** True when `ref` names an existing file or folder (the ref must still be safe). */
  exists(ref: string): boolean {
    const file = this.resolve(ref);
    try {
      lstatSync(file);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * True when `target` is `root` or lies below it (`/ws-evil` is not inside `/ws`; `/ws/..notes.md`
 * is).
 */
export function isInside(root: string, target: string): boolean {
  const rel = path.relative(root, target);
  const up = rel === ".." || rel.startsWith(`..${path.sep}`);
  return !up && !path.isAbsolute(rel);
}

/**
 * The real path of `target`, or — when it does not exist yet — the real path of its nearest
 * existing ancestor joined with the rest. `undefined` when an existing entry on the way is a
 * symlink whose target is missing (writing through it would create a file wherever it points).
 */
function realPathOfNearest(target: string): string | undefined {
  let current = target;
  const rest: string[] = [];
  for (;;) {
    let exists = true;
    try {
      lstatSync(current);
    } catch {
      exists = false;
    }
    if (exists) {
      try {
        return path.join(realpathSync(current), ...rest);
      } catch {
        return undefined;
      }
    }
    const parent = path.dirname(current);
    if (parent === current) return path.join(current, ...rest);
    rest.unshift(path.basename(current));
    current = parent;
  }
}
