/**
 * The bm25_sql index survives a restart (issue #18): built once into a side file beside the
 * database, loaded by the next backend without a build, rebuilt in the background when the table
 * changed, and still correct when the side file is held by another process.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FullTextIndex } from "../../../src/contrib/duckdb/full-text-index.js";
import { type DuckDBLogger, DuckDBQueryBackend, openDuckDB } from "../../../src/contrib/duckdb/index.js";
import { tempDir, writeDatabase } from "./helpers.js";

const WORDS = ["duck", "goose", "pond", "river", "reed", "frog", "heron", "swan", "mallard", "teal", "otter"];

/** 300 notes of 3–30 words from a small vocabulary (many shared terms, different lengths). */
function corpusSql(): string[] {
  const rows: string[] = [];
  for (let id = 1; id <= 300; id++) {
    const words = Array.from(
      { length: 3 + ((id * 7) % 28) },
      (_, k) => WORDS[(id * (k + 3) + k * k) % WORDS.length],
    );
    rows.push(`(${id}, 'Note ${id}', '${words.join(" ")}')`);
  }
  return [
    "CREATE TABLE notes (id INTEGER, title VARCHAR, body VARCHAR)",
    `INSERT INTO notes VALUES ${rows.join(", ")}`,
  ];
}

const QUERIES = ["duck", "heron swan", "otter", "mallard pond", "note 42", "zebra"];

interface Line {
  level: string;
  message: string;
}

function recordingLogger(): DuckDBLogger & { lines: Line[] } {
  const lines: Line[] = [];
  const at = (level: string) => (_data: Record<string, unknown>, message: string) => {
    lines.push({ level, message });
  };
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn") };
}

let dir: { dir: string; cleanup: () => Promise<void> };
let dbPath: string;
let sideFile: string;

beforeEach(async () => {
  dir = await tempDir();
  dbPath = path.join(dir.dir, "notes.duckdb");
  sideFile = `${dbPath}.loom-bm25.duckdb`;
  await writeDatabase(dbPath, corpusSql());
});
afterEach(() => dir.cleanup());

function backend(logger: DuckDBLogger): DuckDBQueryBackend {
  return new DuckDBQueryBackend({ db_path: dbPath, table_name: "notes", search_engine: "bm25_sql", logger });
}

type Hit = { id: number; _relevance: number };

async function search(b: DuckDBQueryBackend, query: string): Promise<Hit[]> {
  const result = await b.process({ action: "search", query, limit: 50 });
  return result.output.results as Hit[];
}

/** Results of the previous engine: the TEMP index, built on the spot, on its own connection. */
async function tempEngine(query: string): Promise<Hit[]> {
  await using session = await openDuckDB(dbPath);
  const index = new FullTextIndex(session, {
    table: "notes",
    idColumn: "id",
    fields: ["title", "body"],
    engine: "bm25_sql",
  });
  const { rows } = await index.search('t."id"', query, 50);
  return rows as Hit[];
}

function expectSameRanking(got: Hit[], expected: Hit[]): void {
  expect(got.map((r) => r.id)).toEqual(expected.map((r) => r.id));
  got.forEach((row, i) => {
    expect(row._relevance).toBeCloseTo(expected[i]?._relevance ?? Number.NaN, 12);
  });
}

/** A process that holds `file` open (read-write or read-only) until killed. */
async function holdFile(file: string, mode: "rw" | "ro"): Promise<ChildProcess> {
  const script =
    'import { DuckDBInstance } from "@duckdb/node-api";' +
    ' const db = await DuckDBInstance.create(process.argv[1], process.argv[2] === "ro" ? { access_mode: "READ_ONLY" } : {});' +
    ' const connection = await db.connect(); await connection.run("SELECT 1"); console.log("held");' +
    // Referenced from the timer, or GC would close the instance and release the lock.
    " setInterval(() => [db, connection], 1000);";
  const child = spawn(process.execPath, ["--input-type=module", "-e", script, file, mode], {
    cwd: process.cwd(),
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((resolve, reject) => {
    child.stdout?.once("data", resolve);
    child.once("exit", (code) => reject(new Error(`holder exited with ${code}`)));
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill();
  await exited;
}

describe("bm25_sql index in a side file", () => {
  it("ranks exactly as the previous engine: while scanning, from the built index, and after a restart", async () => {
    const logger = recordingLogger();
    {
      await using first = backend(logger);
      // The first search of a fresh file scans the table while the index is built behind it.
      for (const query of QUERIES) expectSameRanking(await search(first, query), await tempEngine(query));
      const status = await first.searchIndexStatus({ wait: true });
      expect(status).toMatchObject({ location: sideFile, current: true, builds: 1 });
      for (const query of QUERIES) expectSameRanking(await search(first, query), await tempEngine(query));
    }
    await using second = backend(logger);
    for (const query of QUERIES) expectSameRanking(await search(second, query), await tempEngine(query));
  });

  it("survives a restart: the next backend answers its first search from the side file without a build", async () => {
    const firstLog = recordingLogger();
    let built: Awaited<ReturnType<DuckDBQueryBackend["searchIndexStatus"]>>;
    {
      await using first = backend(firstLog);
      await search(first, "duck");
      built = await first.searchIndexStatus({ wait: true });
      expect(built).toMatchObject({ location: sideFile, current: true, builds: 1 });
      expect(firstLog.lines.map((l) => l.message)).toContain(`BM25 index for notes built into ${sideFile}`);
    }
    const log = recordingLogger();
    await using second = backend(log);
    const results = await search(second, "heron swan");
    // Answered from the stored index: same build, same fingerprint, no build started.
    await expect(second.searchIndexStatus()).resolves.toMatchObject({
      location: sideFile,
      fingerprint: built.fingerprint,
      builtAt: built.builtAt,
      builds: 0,
    });
    expectSameRanking(results, await tempEngine("heron swan"));
    expect(await second.searchIndexStatus({ wait: true })).toMatchObject({
      current: true,
      builds: 0,
      builtAt: built.builtAt,
    });
    expect(log.lines).toContainEqual({
      level: "info",
      message: `BM25 index for notes loaded from ${sideFile}`,
    });
    expect(log.lines.filter((l) => /build/.test(l.message))).toEqual([]);
  });

  it("is rebuilt in the background when the table changed between restarts", async () => {
    let before: string | undefined;
    {
      await using first = backend(recordingLogger());
      await search(first, "duck");
      before = (await first.searchIndexStatus({ wait: true })).fingerprint;
    }
    await writeDatabase(dbPath, [
      "INSERT INTO notes VALUES (301, 'Platypus', 'The platypus lays eggs by the river.')",
      "DELETE FROM notes WHERE id = 2",
    ]);
    const log = recordingLogger();
    await using second = backend(log);
    await search(second, "platypus");
    const status = await second.searchIndexStatus({ wait: true });
    expect(status).toMatchObject({ location: sideFile, current: true, builds: 1 });
    expect(status.fingerprint).not.toBe(before);
    expect(status.fingerprint?.startsWith("300:")).toBe(true); // one row in, one out
    expect(log.lines.map((l) => l.message)).toContain(
      "BM25 index for notes: table changed; rebuilding in the background (searches scan the table until then)",
    );
    expect((await search(second, "platypus")).map((r) => r.id)).toEqual([301]);
    for (const query of ["river", "duck"])
      expectSameRanking(await search(second, query), await tempEngine(query));
    await second.close();
    // The side file's meta now holds the new fingerprint, for the next start.
    await using side = await openDuckDB(sideFile);
    const meta = await side.query("SELECT fingerprint FROM loom_bm25_meta");
    expect(meta).toEqual([{ fingerprint: status.fingerprint }]);
  });

  it("answers correctly when another process holds the side file read-write, and shares it read-only", async () => {
    {
      await using first = backend(recordingLogger());
      await search(first, "duck");
      await first.searchIndexStatus({ wait: true });
    }
    await writeDatabase(dbPath, ["INSERT INTO notes VALUES (301, 'Platypus', 'platypus')"]);
    const writer = await holdFile(sideFile, "rw");
    try {
      const log = recordingLogger();
      await using locked = backend(log);
      await search(locked, "duck");
      const status = await locked.searchIndexStatus({ wait: true });
      expect(status).toMatchObject({ location: "memory", current: true, builds: 1 });
      expect(log.lines.some((l) => l.level === "warn" && /side file cannot be written/.test(l.message))).toBe(
        true,
      );
      expect((await search(locked, "platypus")).map((r) => r.id)).toEqual([301]);
      for (const query of QUERIES) expectSameRanking(await search(locked, query), await tempEngine(query));
    } finally {
      await stop(writer);
    }
    // Rebuild the side file for the new table, then let a read-only holder share it.
    {
      await using rebuild = backend(recordingLogger());
      await search(rebuild, "duck");
      expect(await rebuild.searchIndexStatus({ wait: true })).toMatchObject({
        location: sideFile,
        builds: 1,
      });
    }
    const reader = await holdFile(sideFile, "ro");
    try {
      await using shared = backend(recordingLogger());
      expect((await search(shared, "platypus")).map((r) => r.id)).toEqual([301]);
      expect(await shared.searchIndexStatus({ wait: true })).toMatchObject({
        location: sideFile,
        current: true,
        builds: 0,
      });
    } finally {
      await stop(reader);
    }
  });

  it("a build stopped half-way (the backend closed) leaves the previous index in place", async () => {
    let before: Awaited<ReturnType<DuckDBQueryBackend["searchIndexStatus"]>>;
    {
      await using first = backend(recordingLogger());
      await search(first, "duck");
      before = await first.searchIndexStatus({ wait: true });
    }
    // Enough new text that the rebuild takes a while.
    await writeDatabase(dbPath, [
      "INSERT INTO notes SELECT 1000 + i, 'Bulk ' || i, repeat('heron swan otter reed ', 1 + i % 40) FROM range(150000) t(i)",
    ]);
    const log = recordingLogger();
    {
      await using second = backend(log);
      await search(second, "duck");
      await expect.poll(() => log.lines.some((l) => /table changed; rebuilding/.test(l.message))).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect((await second.searchIndexStatus()).refreshing).toBe(true);
    }
    expect(log.lines.map((l) => l.message)).not.toContain(`BM25 index for notes built into ${sideFile}`);
    const log2 = recordingLogger();
    await using third = backend(log2);
    await search(third, "duck");
    expect(await third.searchIndexStatus()).toMatchObject({
      fingerprint: before.fingerprint,
      builtAt: before.builtAt,
    });
    const rebuilt = await third.searchIndexStatus({ wait: true });
    expect(rebuilt).toMatchObject({ location: sideFile, current: true, builds: 1 });
    expect(rebuilt.fingerprint?.startsWith("150300:")).toBe(true);
    expectSameRanking(await search(third, "otter heron"), await tempEngine("otter heron"));
  });

  it("never writes the database file itself", async () => {
    const bytes = await readFile(dbPath);
    {
      await using b = backend(recordingLogger());
      await search(b, "duck");
      await b.searchIndexStatus({ wait: true });
    }
    expect((await readFile(dbPath)).equals(bytes)).toBe(true);
  });
});
