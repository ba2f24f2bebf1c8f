/**
 * Parsed config data kept across starts (#18). Parsing YAML with source positions is most of a
 * gateway's start at 1,000 workers, and a file's data depends on its text only, so the data of
 * every file that parsed cleanly is kept as JSON under the user's cache folder, keyed by a digest
 * of the text. A later start takes the data from there and parses a file with positions only when
 * an issue in it must be located. One cache file per gateway config holds the files its last load
 * read; it is written in the background (best effort: a cache that cannot be written only costs
 * the next start its time), and files of configs not loaded for a month are removed.
 */
import { createHash } from "node:crypto";
import { statSync } from "node:fs";
import { readdir, readFile, rm, stat, utimes } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { loomCacheDir, writeCacheFile } from "./cache-dir.js";

/** What a cache file holds: the parser it was made with, and each text digest's data as JSON. */
interface Stored {
  parser: string;
  entries: Record<string, string>;
}

/** A config's cache file unused this long is removed by the next save of any config. */
const STALE_AFTER_MS = 30 * 24 * 60 * 60_000;

// The parser and this module: a new build of either (an upgraded `yaml`) must not reuse old data.
const PARSER = [createRequire(import.meta.url).resolve("yaml"), fileURLToPath(import.meta.url)]
  .map((file) => {
    try {
      const info = statSync(file);
      return `${info.size}:${info.mtimeMs}`;
    } catch {
      return "missing";
    }
  })
  .join("|");

export class ParseCache {
  readonly #file: string;
  #stored: Promise<Map<string, string>> | undefined;
  /** What this process read or parsed: what the next save writes. */
  readonly #used = new Map<string, string>();
  #changed = false;

  constructor(file: string) {
    this.#file = file;
  }

  /** The cache of the config at `configFile` (one per config, under the user's cache folder). */
  static forConfig(configFile: string, env: NodeJS.ProcessEnv = process.env): ParseCache {
    const key = createHash("sha256").update(path.resolve(configFile)).digest("hex").slice(0, 32);
    return new ParseCache(path.join(loomCacheDir(env), "parsed", `${key}.json`));
  }

  /** The data of `text` as JSON, if an earlier parse of the same text was kept. */
  async lookup(text: string): Promise<string | undefined> {
    const digest = digestOf(text);
    const json = (await this.#load()).get(digest);
    if (json !== undefined) this.#used.set(digest, json);
    return json;
  }

  /** Keeps the data of a text that parsed without errors, unless JSON cannot hold it exactly. */
  remember(text: string, data: unknown): void {
    if (!isExactJson(data)) return;
    this.#used.set(digestOf(text), JSON.stringify(data));
    this.#changed = true;
  }

  /** Writes what this process used, when it differs from what was read. Never throws. */
  async save(): Promise<void> {
    const stored = await this.#load();
    if (!this.#changed && this.#used.size === stored.size) {
      // Unchanged: only marked as used, so that pruning keeps it.
      const now = new Date();
      await utimes(this.#file, now, now).catch(() => {});
      return;
    }
    this.#changed = false;
    const content: Stored = { parser: PARSER, entries: Object.fromEntries(this.#used) };
    await writeCacheFile(this.#file, JSON.stringify(content));
    await this.#pruneStale();
  }

  /** Removes the cache files of configs that have not been loaded for a month. */
  async #pruneStale(): Promise<void> {
    const folder = path.dirname(this.#file);
    for (const name of await readdir(folder).catch(() => [])) {
      const file = path.join(folder, name);
      const info = await stat(file).catch(() => undefined);
      if (info && Date.now() - info.mtimeMs > STALE_AFTER_MS) await rm(file, { force: true }).catch(() => {});
    }
  }

  #load(): Promise<Map<string, string>> {
    this.#stored ??= readFile(this.#file, "utf8")
      .then((text) => {
        const content = JSON.parse(text) as Partial<Stored>;
        if (content.parser !== PARSER || typeof content.entries !== "object" || content.entries === null) {
          return new Map<string, string>();
        }
        return new Map(Object.entries(content.entries).filter(([, json]) => typeof json === "string"));
      })
      .catch(() => new Map<string, string>()); // none yet, or damaged: start afresh
    return this.#stored;
  }
}

function digestOf(text: string): string {
  return createHash("sha256").update(text).digest("base64url");
}

/** True when `JSON.parse(JSON.stringify(value))` gives `value` back (no NaN, Infinity, -0, `__proto__` key…). */
function isExactJson(value: unknown): boolean {
  if (value === null || typeof value === "string" || typeof value === "boolean") return true;
  if (typeof value === "number") return Number.isFinite(value) && !Object.is(value, -0);
  if (Array.isArray(value)) return value.every(isExactJson);
  if (typeof value !== "object" || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.entries(value).every(([key, item]) => key !== "__proto__" && isExactJson(item));
}
