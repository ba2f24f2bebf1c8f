/**
 * Opening DuckDB files for the DuckDB tools: one instance per file per process, one connection
 * per tool, prepared statements reused, queries run one at a time on a connection.
 *
 * Why a per-process instance cache: DuckDB lets one process write a file OR many processes read
 * it, and two instances on the same file in one process would corrupt it (DuckDB does not stop
 * this). So every tool in the process shares the first instance opened on a path. Tools open
 * files READ_ONLY by default, which lets a gateway, worker processes and the Workshop read the
 * same file at once.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import {
  DOUBLE,
  type DuckDBConnection,
  type DuckDBDecimalValue,
  DuckDBInstance,
  type DuckDBPreparedStatement,
  type DuckDBType,
  DuckDBTypeId,
  type DuckDBValue,
  type DuckDBValueConverter,
  type Json,
  JsonDuckDBValueConverter,
} from "@duckdb/node-api";
import { errorMessage, LoomError } from "../../errors.js";
import { BackendError } from "../../worker/processor.js";

/** A result row as plain JSON (BIGINT as a number when it fits, DECIMAL as a number). */
export type Row = Record<string, Json>;

/** A column as DuckDB describes it. */
export interface ColumnInfo {
  name: string;
  /** The type as DESCRIBE prints it: `VARCHAR`, `FLOAT[]`, `DECIMAL(10,2)`, `JSON`, ... */
  type: string;
}

export interface OpenDuckDBOptions {
  /**
   * Open the file read-only. Ignored when the process already has the file open: the existing
   * instance is shared (a read-write one serves reads too).
   * @default true
   */
  readOnly?: boolean;
}

interface CacheEntry {
  instance: Promise<DuckDBInstance>;
  writable: boolean;
  refs: number;
}

const instances = new Map<string, CacheEntry>();
const MAX_PREPARED = 64;

/**
 * Opens a connection to a DuckDB file, sharing the process-wide instance for that path.
 * Throws `config_error` when a read-only file does not exist or a writer is asked for while the
 * process has the file open read-only; `backend_error` when DuckDB refuses (e.g. locked by
 * another process).
 *
 * @example
 * await using db = await openDuckDB("/tmp/workspace/data.duckdb");
 * const rows = await db.query("SELECT * FROM documents WHERE id = ?", [42]);
 */
export async function openDuckDB(dbPath: string, options: OpenDuckDBOptions = {}): Promise<DuckDBSession> {
  const readOnly = options.readOnly ?? true;
  const file = path.resolve(dbPath);
  let entry = instances.get(file);
  if (entry && !readOnly && !entry.writable) {
    throw new LoomError(
      "config_error",
      `db_path '${file}' is already open read-only in this process; close its DuckDB tools before writing`,
      { details: { db_path: file } },
    );
  }
  if (!entry) {
    if (readOnly && !existsSync(file)) {
      throw new LoomError("config_error", `db_path: no DuckDB file at '${file}' (it is opened read-only)`, {
        details: { db_path: file },
      });
    }
    const created = DuckDBInstance.create(file, readOnly ? { access_mode: "READ_ONLY" } : {});
    const fresh: CacheEntry = { instance: created, writable: !readOnly, refs: 0 };
    instances.set(file, fresh);
    created.catch(() => {
      if (instances.get(file) === fresh) instances.delete(file);
    });
    entry = fresh;
  }
  entry.refs += 1;
  try {
    const connection = await (await entry.instance).connect();
    return new DuckDBSession(file, connection, entry.writable, () => releaseInstance(file));
  } catch (cause) {
    await releaseInstance(file);
    throw new BackendError(`cannot open DuckDB file '${file}': ${errorMessage(cause)}`, {
      details: { db_path: file },
      cause,
    });
  }
}

async function releaseInstance(file: string): Promise<void> {
  const entry = instances.get(file);
  if (!entry) return;
  entry.refs -= 1;
  if (entry.refs > 0) return;
  instances.delete(file);
  try {
    (await entry.instance).closeSync();
  } catch {
    // The instance never opened; nothing to close.
  }
}

/** BIGINT and friends as numbers when they fit, DECIMAL as a double; the rest as DuckDB's JSON form. */
const rowConverter: DuckDBValueConverter<Json> = (value, type, converter) => {
  switch (type.typeId) {
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT: {
      const big = value as bigint;
      const safe = big <= BigInt(Number.MAX_SAFE_INTEGER) && big >= BigInt(Number.MIN_SAFE_INTEGER);
      return safe ? Number(big) : big.toString();
    }
    case DuckDBTypeId.DECIMAL:
      return (value as DuckDBDecimalValue).toDouble();
    default:
      return JsonDuckDBValueConverter(value, type, converter);
  }
};

/**
 * One connection to a DuckDB file. Queries are serialized (a DuckDB connection runs one
 * statement at a time) and their prepared statements cached by SQL text.
 */
export class DuckDBSession {
  readonly #connection: DuckDBConnection;
  readonly #release: () => Promise<void>;
  readonly #prepared = new Map<string, DuckDBPreparedStatement>();
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;

  /** @internal use {@link openDuckDB} */
  constructor(
    /** Absolute path of the file. */
    readonly file: string,
    connection: DuckDBConnection,
    /** True when the process's instance for this file can write. */
    readonly writable: boolean,
    release: () => Promise<void>,
  ) {
    this.#connection = connection;
    this.#release = release;
  }

  /**
   * Runs one statement with bound values and returns its rows as JSON. A value DuckDB cannot
   * convert to the parameter's type is an `invalid_input` error; any other failure a `backend_error`.
   */
  query(
    sql: string,
    values: DuckDBValue[] = [],
    types?: ReadonlyArray<DuckDBType | undefined>,
  ): Promise<Row[]> {
    return this.#serialized(async () => {
      const statement = await this.#prepare(sql);
      try {
        // An undefined entry lets the client infer that parameter's type.
        statement.bind(values, bindTypes(values, types) as DuckDBType[] | undefined);
        const reader = await statement.runAndReadAll();
        return reader.convertRowObjects(rowConverter) as Row[];
      } catch (cause) {
        throw translateError(cause, this.file);
      }
    });
  }

  /** Runs statements without results (DDL, PRAGMA, LOAD). */
  exec(sql: string): Promise<void> {
    return this.#serialized(async () => {
      try {
        await this.#connection.run(sql);
      } catch (cause) {
        throw translateError(cause, this.file);
      }
    });
  }

  /** The types DuckDB infers for the `?` parameters of `sql` (checks the SQL compiles). */
  parameterTypes(sql: string): Promise<string[]> {
    return this.#serialized(async () => {
      const statement = await this.#prepare(sql);
      const types: string[] = [];
      for (let i = 1; i <= statement.parameterCount; i++) types.push(statement.parameterType(i).toString());
      return types;
    });
  }

  /** The columns of a table or view in the main schema; empty when there is none of that name. */
  async describe(name: string): Promise<ColumnInfo[]> {
    const rows = await this.query(
      "SELECT column_name, data_type FROM information_schema.columns" +
        " WHERE table_schema = 'main' AND table_name = ? ORDER BY ordinal_position",
      [name],
    );
    return rows.map((row) => ({ name: String(row.column_name), type: String(row.data_type) }));
  }

  /**
   * The columns of a table or view that must exist: a `config_error` naming the config `key`
   * and listing the file's tables and views when there is none called `name`.
   */
  async columnsOf(name: string, key: string): Promise<ColumnInfo[]> {
    const columns = await this.describe(name);
    if (columns.length > 0) return columns;
    const relations = await this.relations();
    throw new LoomError(
      "config_error",
      `${key}: no table or view '${name}' in '${this.file}' (has: ${relations.join(", ") || "none"})`,
      { details: { key, name, db_path: this.file, available: relations } },
    );
  }

  /** Names of the tables and views in the main schema (for error messages). */
  async relations(): Promise<string[]> {
    const rows = await this.query(
      "SELECT DISTINCT table_name FROM information_schema.tables WHERE table_schema = 'main' ORDER BY 1",
    );
    return rows.map((row) => String(row.table_name));
  }

  /**
   * The raw connection, for benchmarks and advanced use. Statements run on it bypass this
   * session's queue, so do not use it while the session runs queries.
   */
  get connection(): DuckDBConnection {
    return this.#connection;
  }

  /** Closes the connection and releases the shared instance. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#queue.catch(() => undefined);
    for (const statement of this.#prepared.values()) statement.destroySync();
    this.#prepared.clear();
    this.#connection.closeSync();
    await this.#release();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  async #prepare(sql: string): Promise<DuckDBPreparedStatement> {
    const cached = this.#prepared.get(sql);
    if (cached) return cached;
    let statement: DuckDBPreparedStatement;
    try {
      statement = await this.#connection.prepare(sql);
    } catch (cause) {
      throw translateError(cause, this.file);
    }
    if (this.#prepared.size >= MAX_PREPARED) {
      const [oldestSql, oldest] = this.#prepared.entries().next().value as [string, DuckDBPreparedStatement];
      oldest.destroySync();
      this.#prepared.delete(oldestSql);
    }
    this.#prepared.set(sql, statement);
    return statement;
  }

  #serialized<T>(task: () => Promise<T>): Promise<T> {
    if (this.#closed) {
      return Promise.reject(new LoomError("internal", `DuckDB connection to '${this.file}' is closed`));
    }
    const run = this.#queue.then(task, task);
    this.#queue = run.catch(() => undefined);
    return run;
  }
}

/** Conversion problems come from the caller's values; everything else is DuckDB's side. */
function translateError(cause: unknown, file: string): LoomError {
  if (cause instanceof LoomError) return cause;
  const message = errorMessage(cause);
  if (/^(Conversion Error|Invalid Input Error: Could not convert)/i.test(message)) {
    return new LoomError("invalid_input", `a value does not fit its column: ${message}`, { cause });
  }
  return new BackendError(`DuckDB query on '${path.basename(file)}' failed: ${message}`, {
    details: { db_path: file },
    cause,
  });
}

/**
 * What a DuckDB tool opens on first use (a session and what it learnt about its table), shared
 * by the calls after it. Concurrent first calls share one open; a failed open is retried by the
 * next call rather than cached.
 */
export class LazySession<T extends { session: DuckDBSession; close?: () => Promise<void> }> {
  readonly #open: () => Promise<T>;
  #state: Promise<T> | undefined;

  constructor(open: () => Promise<T>) {
    this.#open = open;
  }

  /** The opened state, opening it on first use. */
  get(): Promise<T> {
    this.#state ??= this.#open().catch((error: unknown) => {
      this.#state = undefined;
      throw error;
    });
    return this.#state;
  }

  /**
   * Closes what was opened (the state's own `close` first, then its session); the next
   * {@link get} opens anew.
   */
  async close(): Promise<void> {
    const state = this.#state;
    this.#state = undefined;
    const opened = await state?.catch(() => undefined);
    if (!opened) return;
    try {
      await opened.close?.();
    } finally {
      await opened.session.close();
    }
  }
}

/**
 * The client infers BIGINT for any whole-number JS value, so `-1e308` (a valid DOUBLE filter value)
 * would overflow; a whole number beyond 2^53 is bound as DOUBLE instead.
 */
function bindTypes(
  values: readonly DuckDBValue[],
  types: ReadonlyArray<DuckDBType | undefined> | undefined,
): ReadonlyArray<DuckDBType | undefined> | undefined {
  if (!values.some((v) => typeof v === "number" && Number.isInteger(v) && !Number.isSafeInteger(v)))
    return types;
  return values.map(
    (value, index) =>
      types?.[index] ??
      (typeof value === "number" && Number.isInteger(value) && !Number.isSafeInteger(value)
        ? DOUBLE
        : undefined),
  );
}
