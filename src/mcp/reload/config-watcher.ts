/**
 * Hot reload (issue 8): watches a set of config files, and after a burst of changes re-loads and
 * validates the whole set. A valid set is handed over as `reloaded`; an invalid one as `invalid`
 * with every issue (file:line:col) — the caller keeps serving what it had.
 */
import { createHash } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { type FSWatcher, watch } from "chokidar";
import type { ConfigIssue } from "../../config/index.js";
import { issuesOf } from "./load-config.js";

/**
 * Quiet time after the last file event before reloading: long enough to take an editor's save
 * (truncate, write; or write a temporary file, rename) or a `git checkout` as one change.
 */
export const DEFAULT_RELOAD_DEBOUNCE_MS = 50;

/**
 * How much earlier than the load a modification time may read and still be an edit made after it:
 * the kernel stamps files with a clock that can lag by a few ms, and some file systems keep whole
 * seconds only (a time on a whole second is taken as one of those).
 */
function mtimeSlackMs(mtimeMs: number): number {
  return mtimeMs % 1000 === 0 ? 1000 : 50;
}

/** What one load produced: the value, and the files it read (watched from then on). */
export interface LoadedConfig<T> {
  value: T;
  files: readonly string[];
}

/** The outcome of one reload. */
export type ReloadEvent<T> =
  | { type: "reloaded"; value: T; files: string[] }
  | { type: "invalid"; issues: ConfigIssue[]; error: unknown };

/** Options of {@link ConfigWatcher.start}. */
export interface ConfigWatcherOptions<T> {
  /** The files the current value was loaded from. */
  files: readonly string[];
  /**
   * Loads (and validates) the whole set again; throws for an invalid set. `changed` lists the files
   * whose content changed since the last load (absolute paths): a loader that caches what it read
   * (a `YamlSourceCache`) re-reads only those.
   */
  load: (changed: readonly string[]) => Promise<LoadedConfig<T>>;
  /**
   * The text a file had when it was loaded, if the loader kept it (a `ConfigFileCache` does): what
   * the watcher compares later edits with, without reading the file again. @default read the file
   */
  loadedText?: (file: string) => string | undefined;
  /**
   * When the load of `files` began (ms since the epoch). Edits made between then and the watcher
   * being ready raise no event: files modified since then are checked once the watcher is ready.
   * @default no check (the caller made no edit possible in between)
   */
  loadedSince?: number;
  /** Receives each reload's outcome; reloads never overlap, and wait for a returned promise. */
  onReload: (event: ReloadEvent<T>) => void | Promise<void>;
  /** @default DEFAULT_RELOAD_DEBOUNCE_MS */
  debounceMs?: number;
  /** Told about watcher errors and errors thrown by `onReload`. @default ignore */
  onError?: (error: Error) => void;
}

/**
 * Watches config files and reloads them as a set. Edits whose content is byte-for-byte what was
 * last loaded (an editor touching a file) cause no reload. Only the files the watcher saw change
 * are read to tell (each file's digest is kept), so a reload among many files costs the changed
 * ones, not all of them.
 *
 * @example
 * const watcher = await ConfigWatcher.start({
 *   files: set.files,
 *   load: async () => { const s = await loadConfigSet(file); return { value: s, files: s.files }; },
 *   onReload: (e) => (e.type === "reloaded" ? swap(e.value) : logIssues(e.issues)),
 * });
 */
export class ConfigWatcher<T> {
  readonly #options: ConfigWatcherOptions<T>;
  readonly #debounceMs: number;
  readonly #watcher: FSWatcher;
  #files: Set<string>;
  #folders: Set<string>;
  /** Each watched file's digest as last loaded. */
  readonly #digests = new Map<string, string>();
  /** Files with file events since the last reload. */
  #pending = new Set<string>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  private constructor(options: ConfigWatcherOptions<T>, watcher: FSWatcher) {
    this.#options = options;
    this.#debounceMs = options.debounceMs ?? DEFAULT_RELOAD_DEBOUNCE_MS;
    this.#watcher = watcher;
    this.#files = new Set(options.files.map((f) => path.resolve(f)));
    this.#folders = foldersOf(this.#files);
  }

  /**
   * Starts watching `options.files`; resolves once the watcher is ready. The folders holding the
   * files are watched, not the files: a file deleted and re-created (an editor's save, `git
   * checkout`) is a new inode that a watch on the old one would never see.
   */
  static async start<T>(options: ConfigWatcherOptions<T>): Promise<ConfigWatcher<T>> {
    const files = options.files.map((f) => path.resolve(f));
    const watcher = watch([...foldersOf(files)], { ignoreInitial: true, atomic: true, depth: 0 });
    const ready = new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
    const self = new ConfigWatcher(options, watcher);
    const changed = (file: string) => {
      const absolute = path.resolve(file);
      if (!self.#files.has(absolute)) return;
      self.#pending.add(absolute);
      self.#schedule();
    };
    watcher.on("change", changed).on("add", changed).on("unlink", changed);
    watcher.on("error", (error) => self.#reportError(error));
    await Promise.all(files.map(async (file) => self.#digests.set(file, await self.#loadedDigest(file))));
    await ready;
    if (options.loadedSince !== undefined) await self.#checkEditedSince(options.loadedSince);
    return self;
  }

  /** The files watched now. */
  get files(): string[] {
    return [...this.#files].sort();
  }

  /**
   * Checks every watched file and reloads now if any changed. Resolves when this reload, and any
   * requested while it ran, is done.
   */
  reloadNow(): Promise<void> {
    for (const file of this.#files) this.#pending.add(file);
    return this.#reloadPending();
  }

  /** Reloads if a file with events since the last reload changed (the watcher, after its debounce). */
  #reloadPending(): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Stops watching; a reload in progress still completes. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#watcher.close();
    await this.#running;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  #schedule(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#reloadPending(), this.#debounceMs);
  }

  async #loop(): Promise<void> {
    do {
      this.#again = false;
      await this.#reloadOnce();
    } while (this.#again && !this.#closed);
  }

  async #reloadOnce(): Promise<void> {
    const pending = [...this.#pending].filter((f) => this.#files.has(f));
    this.#pending = new Set();
    const digests = new Map<string, string>();
    for (const file of pending) {
      const digest = await digestOf(file);
      if (digest !== this.#digests.get(file)) digests.set(file, digest);
    }
    if (digests.size === 0) return;
    let event: ReloadEvent<T>;
    try {
      const loaded = await this.#options.load([...digests.keys()].sort());
      const files = loaded.files.map((f) => path.resolve(f));
      this.#retarget(files);
      for (const [file, digest] of digests) this.#digests.set(file, digest);
      for (const file of this.#digests.keys()) if (!this.#files.has(file)) this.#digests.delete(file);
      // Files the new set reads for the first time: their content now is what was loaded.
      for (const file of files) {
        if (!this.#digests.has(file)) this.#digests.set(file, await this.#loadedDigest(file));
      }
      event = { type: "reloaded", value: loaded.value, files: [...files].sort() };
    } catch (error) {
      // Remember what failed, so touching the broken file again does not re-report it.
      for (const [file, digest] of digests) this.#digests.set(file, digest);
      event = { type: "invalid", issues: issuesOf(error, [...this.#files][0] ?? ""), error };
    }
    if (this.#closed) return;
    try {
      await this.#options.onReload(event);
    } catch (error) {
      this.#reportError(error);
    }
  }

  /** Schedules a check of the files modified since `since`. */
  async #checkEditedSince(since: number): Promise<void> {
    await Promise.all(
      [...this.#files].map(async (file) => {
        const info = await stat(file).catch(() => undefined);
        if (!info || info.mtimeMs >= since - mtimeSlackMs(info.mtimeMs)) this.#pending.add(file);
      }),
    );
    if (this.#pending.size > 0) this.#schedule();
  }

  /** The digest of `file` as the last load saw it. */
  async #loadedDigest(file: string): Promise<string> {
    const text = this.#options.loadedText?.(file);
    return text === undefined ? digestOf(file) : digestOfText(text);
  }

  #retarget(files: readonly string[]): void {
    this.#files = new Set(files);
    const next = foldersOf(files);
    const added = [...next].filter((f) => !this.#folders.has(f));
    const removed = [...this.#folders].filter((f) => !next.has(f));
    if (added.length > 0) this.#watcher.add(added);
    if (removed.length > 0) this.#watcher.unwatch(removed);
    this.#folders = next;
  }

  #reportError(error: unknown): void {
    this.#options.onError?.(error instanceof Error ? error : new Error(String(error)));
  }
}

function foldersOf(files: Iterable<string>): Set<string> {
  return new Set([...files].map((f) => path.dirname(f)));
}

/** A digest of a file's content (a missing file counts as its own state). */
async function digestOf(file: string): Promise<string> {
  try {
    return digestOfText(await readFile(file));
  } catch {
    return "missing";
  }
}

function digestOfText(content: string | Buffer): string {
  return createHash("sha256").update(content).digest("hex");
}
