/**
 * Watched workspace resources: the catalog, kept current by a chokidar watcher. Bursts of file
 * events are debounced; then files added or removed become one `list_changed` event and every
 * touched file an `updated` event for its URI. The gateway turns these into
 * `notifications/resources/list_changed` and `notifications/resources/updated`.
 */
import { mkdir, stat } from "node:fs/promises";
import path from "node:path";
import type { ReadResourceResult, Resource } from "@modelcontextprotocol/server";
import { type FSWatcher, watch } from "chokidar";
import { systemDirReason } from "../../workspace/system-dirs.js";
import { WorkspaceError } from "../../workspace/workspace-error.js";
import { TooManyFilesError, toResource, WorkspaceCatalog, type WorkspaceCatalogOptions } from "./catalog.js";
import { ChangeTracker, isEmptyChange, type WorkspaceChanges } from "./change-tracker.js";
import { toWorkspaceUri } from "./workspace-uri.js";

/** Quiet time before a burst of file events is announced. @default 100 ms */
export const DEFAULT_RESOURCE_DEBOUNCE_MS = 100;

/** Files and folders watched at most (`resources.max_watched_files`). @default 10000 */
export const DEFAULT_MAX_WATCHED_FILES = 10_000;

/** A change clients should hear about. */
export type WorkspaceEvent = { type: "list_changed" } | { type: "updated"; uri: string };

/** Options of {@link WorkspaceResources}. */
export interface WorkspaceResourcesOptions extends WorkspaceCatalogOptions {
  /** @default DEFAULT_RESOURCE_DEBOUNCE_MS */
  debounceMs?: number;
  /** Watch the folder for changes made outside tool calls. @default true */
  watch?: boolean;
  /** Told about watcher errors (a folder that cannot be watched, ...). @default ignore */
  onError?: (error: Error) => void;
  /**
   * Create a missing workspace folder (`resources.create`) instead of refusing it.
   * @default false
   */
  create?: boolean;
  /** Told when `create` made the folder. @default ignore */
  onCreated?: (dir: string) => void;
  /**
   * Serve a system folder (`/`, `/etc`, `/usr`, the home folder itself, ...; see system-dirs.ts)
   * (`resources.allow_system_dir`). @default false
   */
  allowSystemDir?: boolean;
  /**
   * Most folders and exposed files watched (`resources.max_watched_files`): a larger workspace is
   * refused at open; one that grows past it stops being watched, with an error to `onError`
   * (changes are then still found after each tool call). @default DEFAULT_MAX_WATCHED_FILES
   */
  maxWatchedFiles?: number;
}

/**
 * The workspace as MCP resources, watched.
 *
 * @example
 * const resources = await WorkspaceResources.open({ workspaceDir: "/tmp/ws", patterns: ["*.json"] });
 * resources.onEvent((e) => console.error(e));
 * await resources.list();
 * await resources.close();
 */
export class WorkspaceResources {
  readonly catalog: WorkspaceCatalog;
  readonly #debounceMs: number;
  readonly #onError: (error: Error) => void;
  readonly #listeners = new Set<(event: WorkspaceEvent) => void>();
  readonly #pending = new Set<string>();
  #tracker = new ChangeTracker();
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #rescan = false;
  // Reconciliations run one at a time, so the tracker sees a consistent order of states.
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  readonly #maxWatched: number;
  #watchedCount = 0;

  private constructor(options: WorkspaceResourcesOptions) {
    this.catalog = new WorkspaceCatalog(options);
    this.#debounceMs = options.debounceMs ?? DEFAULT_RESOURCE_DEBOUNCE_MS;
    this.#onError = options.onError ?? (() => {});
    this.#maxWatched = options.maxWatchedFiles ?? DEFAULT_MAX_WATCHED_FILES;
  }

  /**
   * Checks the workspace folder, scans it and (unless `watch: false`) starts watching. Throws
   * {@link WorkspaceError} with a one-line fix when the folder is missing (unless `create`), is
   * not a folder, is a system folder (unless `allowSystemDir`), or holds more than
   * `maxWatchedFiles` folders and exposed files.
   */
  static async open(options: WorkspaceResourcesOptions): Promise<WorkspaceResources> {
    const resources = new WorkspaceResources(options);
    const root = resources.catalog.root;
    const refuse = (why: string, fix: string, reason: string): never => {
      throw new WorkspaceError(`resources.workspace_dir ${root}: ${why}; ${fix}`, {
        details: { workspace_dir: root, reason },
      });
    };
    const info = await stat(root).catch(() => undefined);
    if (!info) {
      if (!options.create) {
        refuse(
          "the folder does not exist",
          `create it (mkdir -p ${root}) or set resources.create: true to have the gateway create it`,
          "missing",
        );
      }
      await mkdir(root, { recursive: true });
      options.onCreated?.(root);
    } else if (!info.isDirectory()) {
      refuse("it is not a folder", "point workspace_dir at a folder", "not_a_folder");
    }
    const system = systemDirReason(root);
    if (system && !options.allowSystemDir) {
      refuse(
        `${system}, which is not served as a workspace`,
        "point workspace_dir at a folder of its own, or set resources.allow_system_dir: true if you really mean it",
        "system_dir",
      );
    }
    const watching = options.watch ?? true;
    let files: Awaited<ReturnType<WorkspaceCatalog["scan"]>>;
    try {
      files = await resources.catalog.scan(watching ? { maxEntries: resources.#maxWatched } : {});
    } catch (error) {
      if (!(error instanceof TooManyFilesError)) throw error;
      return refuse(
        `it holds more than ${error.limit} folders and matching files to watch`,
        "narrow workspace_dir or resources.patterns, or raise resources.max_watched_files",
        "too_many_files",
      );
    }
    resources.#tracker = new ChangeTracker(files);
    if (watching) await resources.#startWatching();
    return resources;
  }

  /** `resources/list`: every exposed file, sorted by path. */
  async list(): Promise<Resource[]> {
    return (await this.catalog.scan()).map(toResource);
  }

  /** `resources/read` of a `workspace:///` URI (see {@link WorkspaceCatalog.read}). */
  read(uri: string): Promise<ReadResourceResult> {
    return this.catalog.read(uri);
  }

  /** Registers a listener of change events; returns a function that removes it. */
  onEvent(listener: (event: WorkspaceEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  /**
   * Rescans now and announces what changed since the last announcement — call it after each tool
   * call, so files the call created or modified are announced before (or with) its result.
   */
  checkForChanges(): Promise<WorkspaceChanges> {
    return this.#enqueue(async () => this.#announce(this.#tracker.replaceAll(await this.catalog.scan())));
  }

  /** Stops watching. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#listeners.clear();
    await this.#watcher?.close();
    this.#watcher = undefined;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #startWatching(): Promise<void> {
    const root = this.catalog.root;
    const watcher = watch(root, {
      ignoreInitial: true,
      followSymlinks: false,
      ignored: (file, stats) => {
        const relative = toRelative(root, file);
        if (relative === "") return false;
        if (relative.split("/").some((s) => s.startsWith("."))) return true;
        return stats?.isFile() === true && !this.catalog.matches(relative);
      },
    });
    const mark = (file: string) => this.#mark(toRelative(root, file));
    const count = (delta: number) => {
      this.#watchedCount += delta;
      if (this.#watchedCount > this.#maxWatched) void this.#stopWatchingTooMany();
    };
    watcher.on("change", mark);
    watcher.on("add", (file) => {
      count(1);
      mark(file);
    });
    watcher.on("unlink", (file) => {
      count(-1);
      mark(file);
    });
    watcher.on("addDir", () => {
      count(1);
      this.#markRescan();
    });
    watcher.on("unlinkDir", () => {
      count(-1);
      this.#markRescan();
    });
    watcher.on("error", (error) => this.#onError(error instanceof Error ? error : new Error(String(error))));
    await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
    this.#watcher = watcher;
    this.#watchedCount = countWatched(watcher);
  }

  async #stopWatchingTooMany(): Promise<void> {
    const watcher = this.#watcher;
    if (!watcher) return;
    this.#watcher = undefined;
    await watcher.close();
    this.#onError(
      new WorkspaceError(
        `stopped watching the workspace: it now holds more than ${this.#maxWatched} folders and matching files (resources.max_watched_files); changes are still announced after each tool call. Narrow workspace_dir or resources.patterns, or raise the limit, and restart`,
        { details: { reason: "too_many_files", limit: this.#maxWatched } },
      ),
    );
  }

  #mark(relative: string): void {
    if (relative === "" || !this.catalog.matches(relative)) return;
    this.#pending.add(relative);
    this.#schedule();
  }

  #markRescan(): void {
    this.#rescan = true;
    this.#schedule();
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#flush(), this.#debounceMs);
  }

  #flush(): Promise<unknown> {
    const paths = [...this.#pending];
    const rescan = this.#rescan;
    this.#pending.clear();
    this.#rescan = false;
    return this.#enqueue(async () => {
      if (rescan) return this.#announce(this.#tracker.replaceAll(await this.catalog.scan()));
      const changes: WorkspaceChanges = { created: [], modified: [], removed: [] };
      for (const relative of paths) {
        const one = this.#tracker.update(relative, await this.catalog.stat(relative));
        changes.created.push(...one.created);
        changes.modified.push(...one.modified);
        changes.removed.push(...one.removed);
      }
      return this.#announce(changes);
    });
  }

  #enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(task);
    this.#queue = run.catch((error: unknown) => this.#onError(error as Error));
    return run;
  }

  #announce(changes: WorkspaceChanges): WorkspaceChanges {
    if (this.#closed || isEmptyChange(changes)) return changes;
    if (changes.created.length > 0 || changes.removed.length > 0) this.#emit({ type: "list_changed" });
    for (const relative of [...changes.created, ...changes.modified, ...changes.removed]) {
      this.#emit({ type: "updated", uri: toWorkspaceUri(relative) });
    }
    return changes;
  }

  #emit(event: WorkspaceEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onError(error as Error);
      }
    }
  }
}

/** Folders and files the watcher holds (chokidar's own record, root included). */
function countWatched(watcher: FSWatcher): number {
  return Object.values(watcher.getWatched()).reduce((sum, names) => sum + names.length, 0);
}

function toRelative(root: string, file: string): string {
  return path.relative(root, file).split(path.sep).join("/");
}
