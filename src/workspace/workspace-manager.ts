/**
 * Safe file access inside one workspace folder (Part 6 of the guide). Every ref is checked
 * lexically (no `..` segment, no absolute path, no NUL byte, no backslash) and against the real
 * path on disk; reads then open the file first and verify what was opened (verified-open.ts), and
 * writes go through a temporary file in the verified folder (verified-write.ts), so neither a
 * symlink nor one swapped mid-call can lead out of the workspace. Messages name refs relative to
 * the workspace, never the server's absolute paths.
 */
import { closeSync, lstatSync, readSync, realpathSync, unlinkSync } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import { unlink } from "node:fs/promises";
import path from "node:path";
import { isInside } from "./inside.js";
import { trackCall } from "./pending-calls.js";
import { OpenRefused, openVerified, openVerifiedSync } from "./verified-open.js";
import { writeVerified, writeVerifiedSync } from "./verified-write.js";
import { WorkspaceError } from "./workspace-error.js";

export { isInside } from "./inside.js";

/** Largest file a `WorkspaceManager` reads unless told otherwise. @default 32 MiB */
export const DEFAULT_WORKSPACE_MAX_READ_BYTES = 32 * 1024 * 1024;

/** Options of {@link WorkspaceManager}. */
export interface WorkspaceManagerOptions {
  /** Reads of larger files fail with reason `too_large`. @default DEFAULT_WORKSPACE_MAX_READ_BYTES */
  maxReadBytes?: number;
}

const REFUSALS: Record<string, string> = {
  outside: "a symlink leads outside the workspace",
  swapped:
    "the file changed while it was being opened (a symlink or folder was swapped); nothing was read or written",
  not_a_file: "it is not a regular file",
};

/**
 * Reads and writes files inside a workspace folder, refusing any ref that would leave it.
 * Async methods for async code; the `…Sync` twins for `SyncProcessingBackend.processSync`,
 * which cannot await (an un-awaited `writeJson` there is reported as a backend error).
 *
 * @example
 * const ws = new WorkspaceManager("/tmp/my-workspace");
 * const doc = await ws.readJson("report_extracted.json");
 * await ws.writeJson("result.json", { status: "done" });
 * ws.writeJsonSync("result.json", { status: "done" }); // inside processSync
 */
export class WorkspaceManager {
  /** The workspace folder, absolute. */
  readonly root: string;
  readonly maxReadBytes: number;

  /** @param root the workspace folder; a relative path is taken from the current directory. */
  constructor(root: string, options: WorkspaceManagerOptions = {}) {
    if (typeof root !== "string" || root === "" || root.includes("\0")) {
      throw new WorkspaceError(`workspace root must be a non-empty path (got ${JSON.stringify(root)})`, {
        details: { root },
      });
    }
    this.root = path.resolve(root);
    this.maxReadBytes = options.maxReadBytes ?? DEFAULT_WORKSPACE_MAX_READ_BYTES;
  }

  /**
   * The absolute path of `ref` inside the workspace. Throws {@link WorkspaceError} when the ref
   * is empty, absolute, contains a `..` segment, a NUL byte or a backslash, or when its real path
   * (or, for a file not yet created, the real path of its nearest existing ancestor) lies outside
   * the workspace. Reading the returned path later is racy: use the read methods.
   */
  resolve(ref: string): string {
    const refuse = (why: string): never => {
      throw new WorkspaceError(`workspace ref ${JSON.stringify(ref)} refused: ${why}`, {
        details: { ref, reason: why },
      });
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
    const realTarget = realPathOfNearest(target);
    if (realTarget === undefined) return refuse("it passes through a dangling symlink");
    if (!isInside(this.#realRoot(), realTarget)) return refuse("a symlink leads outside the workspace");
    return target;
  }

  /** Reads a file's bytes (at most `maxReadBytes`), verified to be the file inside the workspace. */
  readBytes(ref: string): Promise<Buffer> {
    return trackCall("readBytes", this.#readBytes(ref));
  }

  /** {@link readBytes}, synchronously. */
  readBytesSync(ref: string): Buffer {
    const file = this.resolve(ref);
    let opened: { fd: number; stats: { size: number } };
    try {
      opened = openVerifiedSync(file, this.#realRoot());
    } catch (cause) {
      throw this.#readError(ref, cause);
    }
    try {
      this.#checkSize(ref, opened.stats.size);
      return readAllSync(opened.fd, opened.stats.size, this.maxReadBytes, () => this.#tooLarge(ref));
    } finally {
      closeSync(opened.fd);
    }
  }

  /** Reads a UTF-8 text file; a missing file is a {@link WorkspaceError}. */
  async readText(ref: string): Promise<string> {
    return (await this.readBytes(ref)).toString("utf8");
  }

  /** {@link readText}, synchronously. */
  readTextSync(ref: string): string {
    return this.readBytesSync(ref).toString("utf8");
  }

  /** Reads and parses a JSON file; a missing or unparsable file is a {@link WorkspaceError}. */
  async readJson(ref: string): Promise<unknown> {
    return this.#parse(ref, await this.readText(ref));
  }

  /** {@link readJson}, synchronously. */
  readJsonSync(ref: string): unknown {
    return this.#parse(ref, this.readTextSync(ref));
  }

  /** Writes `value` as pretty-printed JSON, atomically. */
  writeJson(ref: string, value: unknown): Promise<void> {
    return trackCall("writeJson", this.#writeText(ref, `${JSON.stringify(value, null, 2)}\n`));
  }

  /** {@link writeJson}, synchronously. */
  writeJsonSync(ref: string, value: unknown): void {
    this.writeTextSync(ref, `${JSON.stringify(value, null, 2)}\n`);
  }

  /**
   * Writes a UTF-8 text file atomically: the text goes to a temporary file created in the
   * verified folder, which is then renamed over the target and checked, so a reader never sees a
   * half-written file and a swapped folder cannot redirect the write. Missing parent folders are
   * created.
   */
  writeText(ref: string, text: string): Promise<void> {
    return trackCall("writeText", this.#writeText(ref, text));
  }

  /** {@link writeText}, synchronously. */
  writeTextSync(ref: string, text: string): void {
    const file = this.#writableTarget(ref);
    try {
      writeVerifiedSync(file, text, this.#realRoot());
    } catch (cause) {
      throw this.#writeError(ref, cause);
    }
  }

  /** Deletes a file. Returns false when it did not exist. */
  remove(ref: string): Promise<boolean> {
    const file = this.resolve(ref);
    return trackCall(
      "remove",
      unlink(file).then(
        () => true,
        (cause: unknown) => this.#removeFailed(ref, cause),
      ),
    );
  }

  /** {@link remove}, synchronously. */
  removeSync(ref: string): boolean {
    const file = this.resolve(ref);
    try {
      unlinkSync(file);
      return true;
    } catch (cause) {
      return this.#removeFailed(ref, cause);
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

  async #readBytes(ref: string): Promise<Buffer> {
    const file = this.resolve(ref);
    let opened: { handle: FileHandle; stats: { size: number } };
    try {
      opened = await openVerified(file, this.#realRoot());
    } catch (cause) {
      throw this.#readError(ref, cause);
    }
    try {
      this.#checkSize(ref, opened.stats.size);
      return await readAll(opened.handle, opened.stats.size, this.maxReadBytes, () => this.#tooLarge(ref));
    } finally {
      await opened.handle.close();
    }
  }

  async #writeText(ref: string, text: string): Promise<void> {
    const file = this.#writableTarget(ref);
    try {
      await writeVerified(file, text, this.#realRoot());
    } catch (cause) {
      throw this.#writeError(ref, cause);
    }
  }

  #writableTarget(ref: string): string {
    const file = this.resolve(ref);
    if (file === this.root) {
      throw new WorkspaceError(`cannot write workspace ref '${ref}': it names the workspace folder itself`, {
        details: { ref, reason: "is_root" },
      });
    }
    return file;
  }

  #realRoot(): string {
    return realPathOfNearest(this.root) ?? this.root;
  }

  #checkSize(ref: string, size: number): void {
    if (size > this.maxReadBytes) throw this.#tooLarge(ref, size);
  }

  #tooLarge(ref: string, size?: number): WorkspaceError {
    const got = size === undefined ? "more than that" : `${size} bytes`;
    return new WorkspaceError(
      `workspace file '${ref}' is too large to read: ${got}, the limit is ${this.maxReadBytes} bytes`,
      { details: { ref, reason: "too_large", max_bytes: this.maxReadBytes } },
    );
  }

  #parse(ref: string, text: string): unknown {
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new WorkspaceError(`workspace file '${ref}' is not valid JSON: ${(cause as Error).message}`, {
        details: { ref, reason: "invalid_json" },
        cause,
      });
    }
  }

  #readError(ref: string, cause: unknown): WorkspaceError {
    if (cause instanceof WorkspaceError) return cause;
    if (cause instanceof OpenRefused) {
      return new WorkspaceError(`workspace ref ${JSON.stringify(ref)} refused: ${REFUSALS[cause.reason]}`, {
        details: { ref, reason: cause.reason },
      });
    }
    const code = (cause as NodeJS.ErrnoException).code;
    const why =
      code === "ENOENT" ? "file not found" : code === "EISDIR" ? "it is a folder" : errnoText(cause);
    return new WorkspaceError(`cannot read workspace file '${ref}': ${why}`, {
      details: { ref, reason: code ?? "read_failed" },
      cause,
    });
  }

  #writeError(ref: string, cause: unknown): WorkspaceError {
    if (cause instanceof WorkspaceError) return cause;
    if (cause instanceof OpenRefused) {
      return new WorkspaceError(`workspace ref ${JSON.stringify(ref)} refused: ${REFUSALS[cause.reason]}`, {
        details: { ref, reason: cause.reason },
      });
    }
    return new WorkspaceError(`cannot write workspace file '${ref}': ${errnoText(cause)}`, {
      details: { ref, reason: "write_failed" },
      cause,
    });
  }

  #removeFailed(ref: string, cause: unknown): false {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new WorkspaceError(`cannot delete workspace file '${ref}': ${errnoText(cause)}`, {
      details: { ref, reason: "delete_failed" },
      cause,
    });
  }
}

/** An errno error's code and syscall, without the absolute path Node puts in its message. */
function errnoText(cause: unknown): string {
  const error = cause as NodeJS.ErrnoException;
  if (typeof error.code === "string") return `${error.code}${error.syscall ? ` (${error.syscall})` : ""}`;
  return String(cause);
}

async function readAll(
  handle: FileHandle,
  size: number,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Buffer> {
  // The file may grow after fstat: read until EOF, but never past the limit.
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const want = Math.max(64 * 1024, Math.min(size - total + 1, maxBytes - total + 1));
    const buffer = Buffer.allocUnsafe(want);
    const { bytesRead } = await handle.read(buffer, 0, want, null);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > maxBytes) throw tooLarge();
    chunks.push(bytesRead === want ? buffer : buffer.subarray(0, bytesRead));
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
}

function readAllSync(fd: number, size: number, maxBytes: number, tooLarge: () => Error): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const want = Math.max(64 * 1024, Math.min(size - total + 1, maxBytes - total + 1));
    const buffer = Buffer.allocUnsafe(want);
    const bytesRead = readSync(fd, buffer, 0, want, null);
    if (bytesRead === 0) break;
    total += bytesRead;
    if (total > maxBytes) throw tooLarge();
    chunks.push(bytesRead === want ? buffer : buffer.subarray(0, bytesRead));
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
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
