/**
 * A cache of config files for one owner (a gateway and its hot reloads): each file is read, parsed
 * and validated once until the owner says it changed. Loading a gateway reads each worker file
 * twice (to validate the MCP config, then to build its tools), and a reload read every file again;
 * with this, a reload among 1,000 workers reads and validates only the file that changed (#18).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { ParseCache } from "./parse-cache.js";
import { locateConfigPath } from "./paths.js";
import type { CheckedConfig } from "./validate-file.js";
import { type CachedText, type ParsedText, parseFresh, sourceFrom, type YamlSource } from "./yaml-source.js";

/** How long after a load its parses are written to the persistent parse cache. */
const SAVE_DELAY_MS = 1000;

/**
 * Config files read and parsed once, and (for files whose validation depends on nothing but
 * themselves) validated once. The owner must call {@link ConfigFileCache.forget} for every file
 * that changed; each read still gets its own plain data.
 *
 * @example
 * const fileCache = new ConfigFileCache();
 * const config = await loadMcpConfig(file, { fileCache });
 * fileCache.forget([changedWorkerFile]);
 */
export class ConfigFileCache {
  readonly #parsed = new Map<string, Promise<ParsedText | CachedText>>();
  /** The text of every file read, once its read finished. */
  readonly #texts = new Map<string, string>();
  readonly #checked = new Map<string, Map<string, CheckedConfig>>();
  readonly #parseCache: ParseCache | undefined;
  #saveTimer: NodeJS.Timeout | undefined;
  #firstReadAt: number | undefined;
  /** Where config references were found on disk (see {@link ConfigFileCache.locate}). */
  readonly #located = new Map<string, { path: string; exists: boolean }>();

  /** @param options.parseCache keeps parsed data across starts (see {@link ParseCache}). */
  constructor(options: { parseCache?: ParseCache } = {}) {
    this.#parseCache = options.parseCache;
  }

  /** The cache of a long-lived owner of `configFile` (a gateway): its parses are kept across starts. */
  static persistentFor(configFile: string): ConfigFileCache {
    return new ConfigFileCache({ parseCache: ParseCache.forConfig(configFile) });
  }

  /** When the first file was read (ms since the epoch): every text held was read after it. */
  get firstReadAt(): number | undefined {
    return this.#firstReadAt;
  }

  /** The source of `file`: read and parsed on the first call, from memory after. */
  async read(file: string): Promise<YamlSource> {
    this.#firstReadAt ??= Date.now();
    const key = path.resolve(file);
    let entry = this.#parsed.get(key);
    if (!entry) {
      const reading = readText(key).then((text) => {
        this.#texts.set(key, text);
        return this.#parse(text);
      });
      entry = reading;
      this.#parsed.set(key, reading);
      // A file that cannot be read is tried again next time (it may be being re-created).
      reading.catch(() => {
        if (this.#parsed.get(key) === reading) this.#parsed.delete(key);
      });
    }
    return sourceFrom(file, await entry);
  }

  /** Writes the parses of this load to the persistent parse cache, if there is one. Never throws. */
  async saveParses(): Promise<void> {
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    await this.#parseCache?.save();
  }

  /**
   * {@link saveParses} a second from now, in the background, so that writing the cache (600 KB for
   * 1,000 workers) does not delay the requests of a gateway that just started or reloaded. The
   * owner calls `saveParses` when it closes, so a short run saves too.
   */
  saveParsesSoon(): void {
    if (!this.#parseCache) return;
    clearTimeout(this.#saveTimer);
    this.#saveTimer = setTimeout(() => void this.saveParses(), SAVE_DELAY_MS);
    this.#saveTimer.unref();
  }

  async #parse(text: string): Promise<ParsedText | CachedText> {
    const json = await this.#parseCache?.lookup(text);
    if (json !== undefined) return { text, json };
    const parsed = parseFresh(text);
    if (parsed.doc.errors.length === 0)
      this.#parseCache?.remember(text, parsed.doc.toJS({ maxAliasCount: 100 }));
    return parsed;
  }

  /** The text `file` had when it was read, if it was read since it was last forgotten. */
  text(file: string): string | undefined {
    return this.#texts.get(path.resolve(file));
  }

  /** A validation result kept by {@link remember} for `file` under `variant`, if any. */
  checked(file: string, variant: string): CheckedConfig | undefined {
    return this.#checked.get(path.resolve(file))?.get(variant);
  }

  /** Keeps a validation result of `file` (one that depends on that file only) under `variant`. */
  remember(file: string, variant: string, result: CheckedConfig): void {
    const key = path.resolve(file);
    let variants = this.#checked.get(key);
    if (!variants) {
      variants = new Map();
      this.#checked.set(key, variants);
    }
    variants.set(variant, result);
  }

  /**
   * {@link locateConfigPath}, looked up once: a gateway naming 1,000 workers resolves each reference
   * in validation and again in its model, and again at every reload. A reference is looked up
   * again after a {@link forget} when it was not found, or when the file it was found at changed.
   */
  locate(configFile: string, ref: string): { path: string; exists: boolean } {
    const key = `${configFile}\n${ref}`;
    let found = this.#located.get(key);
    if (!found) {
      found = locateConfigPath(configFile, ref);
      this.#located.set(key, found);
    }
    return found;
  }

  /**
   * Drops the given files (they changed); the next read of each reads and validates it again, and
   * references to them (or to nothing) are looked up on disk again.
   */
  forget(files: Iterable<string>): void {
    const changed = new Set([...files].map((file) => path.resolve(file)));
    for (const key of changed) {
      this.#parsed.delete(key);
      this.#texts.delete(key);
      this.#checked.delete(key);
    }
    for (const [key, found] of this.#located) {
      if (!found.exists || changed.has(found.path)) this.#located.delete(key);
    }
  }

  /** Number of files held. */
  get size(): number {
    return this.#parsed.size;
  }
}

/**
 * Reads a config file in one blocking call. Config files are small, and `fs/promises` takes four
 * thread-pool round trips per file: reading 1,000 worker files at a gateway's start took ~100 ms
 * more that way (#18).
 */
function readText(file: string): Promise<string> {
  try {
    return Promise.resolve(readFileSync(file, "utf8"));
  } catch (error) {
    return Promise.reject(error);
  }
}
