/**
 * Where the BM25 fallback keeps its index so that it survives a restart (issue #18): a DuckDB
 * side file beside the database (`<db>.loom-bm25.duckdb`), or in the user's cache folder when
 * that folder is not writable, ATTACHed to the database's instance. One store per database file
 * per process, shared by every index on that file (an ATTACH is instance-wide).
 *
 * Locking: DuckDB lets one process write a file or many read it. The side file is attached
 * READ_ONLY whenever this process has nothing to write, so several gateways on one database can
 * all read the same index; it is attached read-write only while a build runs (and kept so while
 * the database itself is open read-write, since its tables can change). A side file another
 * process holds, or one that cannot be written, falls back to an in-memory catalog: the index is
 * then built per process, as before, and the reason logged as a warning.
 *
 * Atomicity: a build writes fresh tables (a new suffix), then one transaction points the meta
 * row at them and drops the old ones, so a killed build leaves the previous index intact (its
 * leftover tables are dropped by the next build).
 */
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { access, constants, mkdir } from "node:fs/promises";
import path from "node:path";
import { loomCacheDir } from "../../config/cache-dir.js";
import { errorMessage } from "../../errors.js";
import { type Bm25Source, type Bm25TableNames, bm25BuildSql, bm25TableNames } from "./bm25-sql.js";
import { type DuckDBSession, openDuckDB } from "./database.js";
import type { DuckDBLogger } from "./logger.js";

/** Bumped when the index tables change shape: a stored index of another version is rebuilt. */
export const BM25_FORMAT_VERSION = 1;

const SIDE_CATALOG = "loom_bm25";
const MEMORY_CATALOG = "loom_bm25_memory";
const META = "loom_bm25_meta";

/** One built index: where its tables are and which table content it was built from. */
export interface StoredIndex {
  /** The side file, or `memory` for this process's in-memory catalog. */
  location: string;
  names: Bm25TableNames;
  fingerprint: string;
  /** When it was built (DuckDB timestamp text). */
  builtAt: string;
}

/** The side file of a database: beside it when that folder is writable (or it is already there), else in the cache folder. */
export async function sideFilePath(dbFile: string): Promise<string> {
  const beside = `${dbFile}.loom-bm25.duckdb`;
  if (existsSync(beside)) return beside;
  const digest = createHash("sha256").update(dbFile).digest("hex").slice(0, 16);
  const cached = path.join(loomCacheDir(), "bm25", `${digest}.duckdb`);
  if (existsSync(cached)) return cached;
  const writable = await access(path.dirname(dbFile), constants.W_OK).then(
    () => true,
    () => false,
  );
  return writable ? beside : cached;
}

/** Readers of the side catalog against re-attaching it (which needs no query using it). */
class AttachGate {
  #readers = 0;
  #exclusive: Promise<void> | undefined;
  #drained: (() => void) | undefined;

  async read<T>(task: () => Promise<T>): Promise<T> {
    while (this.#exclusive !== undefined) await this.#exclusive;
    this.#readers += 1;
    try {
      return await task();
    } finally {
      this.#readers -= 1;
      if (this.#readers === 0) this.#drained?.();
    }
  }

  async exclusive<T>(task: () => Promise<T>): Promise<T> {
    while (this.#exclusive !== undefined) await this.#exclusive;
    let release = () => {};
    this.#exclusive = new Promise((resolve) => {
      release = resolve;
    });
    try {
      if (this.#readers > 0) await new Promise<void>((resolve) => (this.#drained = resolve));
      return await task();
    } finally {
      this.#drained = undefined;
      this.#exclusive = undefined;
      release();
    }
  }
}

type AttachMode = "none" | "read_only" | "read_write";

/** The index catalogs of one database file in this process, and the connection that builds into them. */
export class Bm25Store {
  readonly #worker: DuckDBSession;
  readonly #side: string | undefined;
  readonly #logger: DuckDBLogger;
  readonly #gate = new AttachGate();
  #mode: AttachMode = "none";
  #memory = false;
  /** Builds run one at a time (each may re-attach the side file); one per key and fingerprint. */
  #builds = new Map<string, Promise<StoredIndex>>();
  #lastBuild: Promise<unknown> = Promise.resolve();
  #closed = false;

  private constructor(worker: DuckDBSession, side: string | undefined, logger: DuckDBLogger) {
    this.#worker = worker;
    this.#side = side;
    this.#logger = logger;
  }

  /**
   * Opens the store of `session`'s file: a connection of its own (background work never queues
   * behind searches) and the side file attached read-only when it exists.
   */
  static async open(session: DuckDBSession, logger: DuckDBLogger): Promise<Bm25Store> {
    const worker = await openDuckDB(session.file, { readOnly: !session.writable });
    const inMemory = path.basename(session.file) === ":memory:";
    const store = new Bm25Store(worker, inMemory ? undefined : await sideFilePath(session.file), logger);
    if (store.#side && existsSync(store.#side)) {
      // Held read-write by another process: no stored index here; a build will say so (warning).
      await store.#attach("read_only").catch((error: unknown) => {
        logger.debug(
          { side_file: store.#side, error: errorMessage(error) },
          "BM25 index: cannot read the side file",
        );
      });
    }
    return store;
  }

  /** The background connection (for fingerprints and builds). */
  get worker(): DuckDBSession {
    return this.#worker;
  }

  /** The stored index of `key` in the side file when it is there and of the current format. */
  async stored(key: string): Promise<StoredIndex | undefined> {
    if (this.#mode === "none" || !this.#side) return undefined;
    const side = this.#side;
    // A side file without a meta table (a build was killed before its first swap) has no index.
    return this.#gate.read(() => this.#readMeta(SIDE_CATALOG, side, key).catch(() => undefined));
  }

  /** Runs a query that reads a side-file index; re-attaching waits for it. */
  read<T>(task: () => Promise<T>): Promise<T> {
    return this.#gate.read(task);
  }

  /**
   * Builds the index of `source` for `fingerprint` and swaps it in; returns it. Into the side file
   * when it can be written, else into this process's memory.
   */
  build(key: string, source: Bm25Source, fingerprint: string): Promise<StoredIndex> {
    const id = `${key}\n${fingerprint}`;
    let build = this.#builds.get(id);
    if (!build) {
      const run = () => this.#build(key, source, fingerprint);
      build = this.#lastBuild.then(run, run).finally(() => this.#builds.delete(id));
      this.#builds.set(id, build);
      this.#lastBuild = build.catch(() => {});
    }
    return build;
  }

  async #build(key: string, source: Bm25Source, fingerprint: string): Promise<StoredIndex> {
    if (this.#closed) throw new Error("the BM25 index store is closed");
    const catalog = await this.#writableCatalog();
    try {
      return await this.#buildInto(catalog, key, source, fingerprint);
    } catch (error) {
      if (catalog === MEMORY_CATALOG || this.#closed) throw error;
      this.#logger.warn(
        { side_file: this.#side, error: errorMessage(error) },
        "BM25 index: cannot write the side file; building in memory for this process",
      );
      return this.#buildInto(await this.#memoryCatalog(), key, source, fingerprint);
    } finally {
      // Nothing left to write while the database is read-only: let other processes read the file.
      if (catalog === SIDE_CATALOG && !this.#worker.writable && !this.#closed)
        await this.#attach("read_only").catch(() => {});
    }
  }

  /** Stops a running build, detaches the side file and closes the background connection. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#worker.connection.interrupt();
    await this.#gate.exclusive(async () => {
      if (this.#mode !== "none") await this.#worker.exec(`DETACH ${SIDE_CATALOG}`).catch(() => {});
      if (this.#memory) await this.#worker.exec(`DETACH ${MEMORY_CATALOG}`).catch(() => {});
    });
    await this.#worker.close();
  }

  async #readMeta(catalog: string, location: string, key: string): Promise<StoredIndex | undefined> {
    const rows = await this.#worker.query(
      `SELECT fingerprint, suffix, built_at::VARCHAR AS built_at FROM "${catalog}".main.${META}` +
        " WHERE index_key = ? AND format_version = ?",
      [key, BM25_FORMAT_VERSION],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      location,
      names: bm25TableNames("", { catalog, suffix: String(row.suffix) }),
      fingerprint: String(row.fingerprint),
      builtAt: String(row.built_at),
    };
  }

  /** The side catalog attached read-write, or the memory catalog when that cannot be. */
  async #writableCatalog(): Promise<string> {
    if (this.#side && this.#mode !== "read_write") {
      try {
        await mkdir(path.dirname(this.#side), { recursive: true });
        await this.#attach("read_write");
      } catch (error) {
        this.#logger.warn(
          { side_file: this.#side, error: errorMessage(error) },
          "BM25 index: the side file cannot be written (locked by another process or not writable); building in memory for this process",
        );
        await this.#attach("read_only").catch(() => {});
      }
    }
    return this.#mode === "read_write" ? SIDE_CATALOG : this.#memoryCatalog();
  }

  async #memoryCatalog(): Promise<string> {
    if (!this.#memory) {
      await this.#worker.exec(`ATTACH IF NOT EXISTS ':memory:' AS ${MEMORY_CATALOG} (READ_WRITE)`);
      this.#memory = true;
    }
    return MEMORY_CATALOG;
  }

  /** (Re)attaches the side file in `mode`; on failure it is left detached and the error thrown. */
  async #attach(mode: Exclude<AttachMode, "none">): Promise<void> {
    if (this.#mode === mode || !this.#side) return;
    const file = this.#side.replace(/'/g, "''");
    await this.#gate.exclusive(async () => {
      if (this.#mode !== "none") await this.#worker.exec(`DETACH ${SIDE_CATALOG}`);
      this.#mode = "none";
      await this.#worker.exec(`ATTACH '${file}' AS ${SIDE_CATALOG} (${mode.toUpperCase()})`);
      this.#mode = mode;
    });
  }

  async #buildInto(
    catalog: string,
    key: string,
    source: Bm25Source,
    fingerprint: string,
  ): Promise<StoredIndex> {
    const location = catalog === SIDE_CATALOG ? (this.#side as string) : "memory";
    const keyHash = createHash("sha256").update(key).digest("hex").slice(0, 12);
    const suffix = `${keyHash}_${Date.now().toString(36)}`;
    const names = bm25TableNames("", { catalog, suffix });
    const meta = `"${catalog}".main.${META}`;
    await this.#worker.exec(
      `CREATE TABLE IF NOT EXISTS ${meta} (index_key VARCHAR, format_version INTEGER, fingerprint VARCHAR,` +
        " suffix VARCHAR, built_at TIMESTAMP)",
    );
    const previous = await this.#worker.query(`SELECT suffix FROM ${meta} WHERE index_key = ?`, [key]);
    const keep = new Set(previous.map((row) => String(row.suffix)));
    await this.#dropTables(catalog, keyHash, keep);
    await this.#worker.exec(bm25BuildSql(source, names, "CREATE TABLE"));
    const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
    try {
      await this.#worker.exec(
        `BEGIN TRANSACTION; DELETE FROM ${meta} WHERE index_key = ${literal(key)};` +
          ` INSERT INTO ${meta} VALUES (${literal(key)}, ${BM25_FORMAT_VERSION}, ${literal(fingerprint)},` +
          ` ${literal(suffix)}, now()::TIMESTAMP); COMMIT`,
      );
    } catch (error) {
      await this.#worker.exec("ROLLBACK").catch(() => {});
      throw error;
    }
    await this.#dropTables(catalog, keyHash, new Set([suffix]));
    const built = await this.#readMeta(catalog, location, key);
    if (!built) throw new Error(`BM25 index of ${key} vanished from ${location} after its build`);
    return built;
  }

  /** Drops the index tables of `keyHash` in `catalog` other than those of the suffixes in `keep`. */
  async #dropTables(catalog: string, keyHash: string, keep: Set<string>): Promise<void> {
    const rows = await this.#worker.query(
      "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND table_name LIKE ?",
      [catalog, `loom_bm25_%${keyHash}_%`],
    );
    const stale = rows
      .map((row) => String(row.table_name))
      .filter((name) => ![...keep].some((suffix) => name.endsWith(`_${suffix}`)));
    if (stale.length === 0) return;
    await this.#worker.exec(
      stale.map((name) => `DROP TABLE IF EXISTS "${catalog}".main."${name}";`).join(" "),
    );
  }
}

interface StoreEntry {
  store: Promise<Bm25Store>;
  refs: number;
}

const stores = new Map<string, StoreEntry>();

/** The shared store of `session`'s file, opened on first use; release it with {@link releaseBm25Store}. */
export function acquireBm25Store(session: DuckDBSession, logger: DuckDBLogger): Promise<Bm25Store> {
  let entry = stores.get(session.file);
  if (!entry) {
    const fresh: StoreEntry = { store: Bm25Store.open(session, logger), refs: 0 };
    fresh.store.catch(() => {
      if (stores.get(session.file) === fresh) stores.delete(session.file);
    });
    stores.set(session.file, fresh);
    entry = fresh;
  }
  entry.refs += 1;
  return entry.store;
}

/** Releases one use of the store of `file`; the last one closes it. */
export async function releaseBm25Store(file: string): Promise<void> {
  const entry = stores.get(file);
  if (!entry) return;
  entry.refs -= 1;
  if (entry.refs > 0) return;
  stores.delete(file);
  const store = await entry.store.catch(() => undefined);
  await store?.close();
}
