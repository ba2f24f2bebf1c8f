/**
 * The workspace resource catalog (Part 12, step 4): every file under `resources.workspace_dir`
 * whose relative path matches the configured `patterns` is a resource `workspace:///<path>`.
 * Reads go through {@link WorkspaceManager}, so `..`, `%2e%2e`, absolute paths and symlinks that
 * lead outside the workspace are refused, and the file is verified after it is opened (a symlink
 * swapped between check and read cannot leak). Reads are capped in size and in number at once.
 */
import type { Dirent } from "node:fs";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import {
  ProtocolError,
  ProtocolErrorCode,
  type ReadResourceResult,
  type Resource,
  ResourceNotFoundError,
} from "@modelcontextprotocol/server";
import picomatch from "picomatch";
import { WorkspaceError } from "../../workspace/workspace-error.js";
import { WorkspaceManager } from "../../workspace/workspace-manager.js";
import { isTextMimeType, mimeTypeOf } from "./mime.js";
import { DEFAULT_MAX_CONCURRENT_READS, ReadLimiter } from "./read-limiter.js";
import { parseWorkspaceUri, toWorkspaceUri } from "./workspace-uri.js";

/** Largest file served by `resources/read` (`resources.max_file_bytes`). @default 16 MiB */
export const DEFAULT_MAX_READ_BYTES = 16 * 1024 * 1024;

/** Options of {@link WorkspaceCatalog}. */
export interface WorkspaceCatalogOptions {
  /** The workspace folder (absolute, as the config loader leaves it). */
  workspaceDir: string;
  /**
   * Globs over the path relative to the workspace (`**` allowed). A pattern without `/` matches
   * the file name at any depth (`*.pdf` finds `a.pdf` and `reports/b.pdf`), like `.gitignore`.
   * Dotfiles and dot-folders are never listed. @default every file
   */
  patterns?: readonly string[];
  /** Larger files are refused with a message naming the limit. @default DEFAULT_MAX_READ_BYTES */
  maxReadBytes?: number;
  /** Reads served at once; more wait. @default DEFAULT_MAX_CONCURRENT_READS */
  maxConcurrentReads?: number;
}

/** A scan stopped because the workspace holds more entries than allowed. */
export class TooManyFilesError extends WorkspaceError {
  constructor(readonly limit: number) {
    super(`the workspace holds more than ${limit} files and folders`, {
      details: { reason: "too_many_files", limit },
    });
  }
}

/** One workspace file as the catalog sees it. */
export interface WorkspaceFile {
  /** Relative to the workspace, `/`-separated. */
  path: string;
  uri: string;
  mimeType: string;
  size: number;
  mtimeMs: number;
}

/**
 * Lists and reads the files of one workspace folder as MCP resources.
 *
 * @example
 * const catalog = new WorkspaceCatalog({ workspaceDir: "/tmp/ws", patterns: ["*.json"] });
 * const resources = (await catalog.scan()).map(toResource);
 * const { contents } = await catalog.read("workspace:///report.json");
 */
export class WorkspaceCatalog {
  readonly root: string;
  readonly #manager: WorkspaceManager;
  readonly #match: (relativePath: string) => boolean;
  readonly #limiter: ReadLimiter;

  constructor(options: WorkspaceCatalogOptions) {
    this.#manager = new WorkspaceManager(options.workspaceDir, {
      maxReadBytes: options.maxReadBytes ?? DEFAULT_MAX_READ_BYTES,
    });
    this.root = this.#manager.root;
    this.#limiter = new ReadLimiter(options.maxConcurrentReads ?? DEFAULT_MAX_CONCURRENT_READS);
    // A pattern without "/" names a file at any depth (picomatch's own `basename` option would
    // also apply to the patterns that do contain "/", so the prefix is added here instead).
    const patterns = options.patterns?.length
      ? options.patterns.map((p) => p.replace(/^\.\//, "")).map((p) => (p.includes("/") ? p : `**/${p}`))
      : ["**"];
    const matcher = picomatch(patterns, { dot: false });
    this.#match = (relativePath) => !hasDotSegment(relativePath) && matcher(relativePath);
  }

  /** `resources/read` calls being served now (at most `maxConcurrentReads`). */
  get activeReads(): number {
    return this.#limiter.active;
  }

  /** True when a relative path (`/`-separated) is exposed by the patterns. */
  matches(relativePath: string): boolean {
    return this.#match(relativePath);
  }

  /**
   * Every exposed file, sorted by path. A missing workspace folder lists nothing. With
   * `maxEntries`, throws {@link TooManyFilesError} as soon as more folders and exposed files than
   * that are found (what a watcher would have to watch).
   */
  async scan(options: { maxEntries?: number } = {}): Promise<WorkspaceFile[]> {
    const files: WorkspaceFile[] = [];
    await this.#walk("", files, { count: 0, max: options.maxEntries ?? Number.POSITIVE_INFINITY });
    return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /** The exposed file at `relativePath`, or undefined when it is missing, hidden or unsafe. */
  async stat(relativePath: string): Promise<WorkspaceFile | undefined> {
    if (!this.#match(relativePath)) return undefined;
    let absolute: string;
    try {
      absolute = this.#manager.resolve(relativePath);
    } catch {
      return undefined;
    }
    try {
      const info = await stat(absolute);
      if (!info.isFile()) return undefined;
      return {
        path: relativePath,
        uri: toWorkspaceUri(relativePath),
        mimeType: mimeTypeOf(relativePath),
        size: info.size,
        mtimeMs: info.mtimeMs,
      };
    } catch {
      return undefined;
    }
  }

  /**
   * `resources/read` of a `workspace:///` URI: text files as `text`, anything else as a base64
   * `blob`. Throws the SDK's `ResourceNotFoundError` for a missing (or unexposed) file and an
   * Invalid Params `ProtocolError` for a URI that would leave the workspace.
   */
  async read(uri: string): Promise<ReadResourceResult> {
    const relativePath = parseWorkspaceUri(uri);
    try {
      this.#manager.resolve(relativePath);
    } catch (error) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, (error as Error).message, { uri });
    }
    const notFound = () =>
      new ResourceNotFoundError(uri, `Resource not found: ${uri} (no such file in the workspace)`);
    if (!this.#match(relativePath)) throw notFound();
    let bytes: Buffer;
    try {
      bytes = await this.#limiter.run(() => this.#manager.readBytes(relativePath));
    } catch (error) {
      if (!(error instanceof WorkspaceError)) throw error;
      const reason = error.details.reason;
      if (reason === "ENOENT" || reason === "EISDIR" || reason === "not_a_file") throw notFound();
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, error.message, { uri });
    }
    const mimeType = mimeTypeOf(relativePath);
    const content = isTextMimeType(mimeType)
      ? { uri, mimeType, text: bytes.toString("utf8") }
      : { uri, mimeType, blob: bytes.toString("base64") };
    return { contents: [content] };
  }

  async #walk(
    relativeDir: string,
    into: WorkspaceFile[],
    seen: { count: number; max: number },
  ): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(this.root, relativeDir), { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.name.startsWith(".")) continue;
      const relativePath = relativeDir ? `${relativeDir}/${entry.name}` : entry.name;
      // Symlinked folders are not followed (no cycles, no escapes); symlinked files are checked
      // by stat() through WorkspaceManager.resolve.
      if (entry.isDirectory()) {
        if (++seen.count > seen.max) throw new TooManyFilesError(seen.max);
        await this.#walk(relativePath, into, seen);
      } else if (entry.isFile() || entry.isSymbolicLink()) {
        const file = await this.stat(relativePath);
        if (!file) continue;
        if (++seen.count > seen.max) throw new TooManyFilesError(seen.max);
        into.push(file);
      }
    }
  }
}

/** The MCP `Resource` entry of a workspace file (name = its relative path). */
export function toResource(file: WorkspaceFile): Resource {
  return {
    uri: file.uri,
    name: file.path,
    title: path.posix.basename(file.path),
    mimeType: file.mimeType,
    size: file.size,
  };
}

function hasDotSegment(relativePath: string): boolean {
  return relativePath.split("/").some((segment) => segment.startsWith("."));
}
