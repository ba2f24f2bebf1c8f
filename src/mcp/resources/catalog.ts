/**
 * The workspace resource catalog (Part 12, step 4): every file under `resources.workspace_dir`
 * whose relative path matches the configured `patterns` is a resource `workspace:///<path>`.
 * Reads go through {@link WorkspaceManager}, so `..`, `%2e%2e`, absolute paths and symlinks that
 * lead outside the workspace are refused.
 */
import type { Dirent } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import {
  ProtocolError,
  ProtocolErrorCode,
  type ReadResourceResult,
  type Resource,
  ResourceNotFoundError,
} from "@modelcontextprotocol/server";
import picomatch from "picomatch";
import { WorkspaceManager } from "../../workspace/workspace-manager.js";
import { isTextMimeType, mimeTypeOf } from "./mime.js";
import { parseWorkspaceUri, toWorkspaceUri } from "./workspace-uri.js";

/** Largest file served by `resources/read`. @default 32 MiB */
export const DEFAULT_MAX_READ_BYTES = 32 * 1024 * 1024;

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
  /** @default DEFAULT_MAX_READ_BYTES */
  maxReadBytes?: number;
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
  readonly #maxReadBytes: number;

  constructor(options: WorkspaceCatalogOptions) {
    this.#manager = new WorkspaceManager(options.workspaceDir);
    this.root = this.#manager.root;
    this.#maxReadBytes = options.maxReadBytes ?? DEFAULT_MAX_READ_BYTES;
    // A pattern without "/" names a file at any depth (picomatch's own `basename` option would
    // also apply to the patterns that do contain "/", so the prefix is added here instead).
    const patterns = options.patterns?.length
      ? options.patterns.map((p) => p.replace(/^\.\//, "")).map((p) => (p.includes("/") ? p : `**/${p}`))
      : ["**"];
    const matcher = picomatch(patterns, { dot: false });
    this.#match = (relativePath) => !hasDotSegment(relativePath) && matcher(relativePath);
  }

  /** True when a relative path (`/`-separated) is exposed by the patterns. */
  matches(relativePath: string): boolean {
    return this.#match(relativePath);
  }

  /** Every exposed file, sorted by path. A missing workspace folder lists nothing. */
  async scan(): Promise<WorkspaceFile[]> {
    const files: WorkspaceFile[] = [];
    await this.#walk("", files);
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
    let absolute: string;
    try {
      absolute = this.#manager.resolve(relativePath);
    } catch (error) {
      throw new ProtocolError(ProtocolErrorCode.InvalidParams, (error as Error).message, { uri });
    }
    const file = await this.stat(relativePath);
    if (!file)
      throw new ResourceNotFoundError(uri, `Resource not found: ${uri} (no such file in the workspace)`);
    if (file.size > this.#maxReadBytes) {
      throw new ProtocolError(
        ProtocolErrorCode.InvalidParams,
        `workspace file '${relativePath}' is ${file.size} bytes, more than the ${this.#maxReadBytes} bytes served`,
        { uri },
      );
    }
    const bytes = await readFile(absolute);
    const content = isTextMimeType(file.mimeType)
      ? { uri, mimeType: file.mimeType, text: bytes.toString("utf8") }
      : { uri, mimeType: file.mimeType, blob: bytes.toString("base64") };
    return { contents: [content] };
  }

  async #walk(relativeDir: string, into: WorkspaceFile[]): Promise<void> {
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
      if (entry.isDirectory()) await this.#walk(relativePath, into);
      else if (entry.isFile() || entry.isSymbolicLink()) {
        const file = await this.stat(relativePath);
        if (file) into.push(file);
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
