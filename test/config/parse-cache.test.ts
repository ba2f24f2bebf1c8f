/**
 * The parse cache (#18): a gateway's next start takes each file's data from the cache instead of
 * parsing it, issues are still located at their line and column, and nothing JSON cannot hold
 * exactly (or made by another parser build, or damaged) is ever served from it.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigFileCache } from "../../src/config/file-cache.js";
import { ConfigValidationError, loadWorkerConfig } from "../../src/config/index.js";
import { ParseCache } from "../../src/config/parse-cache.js";

const WORKER = `name: cached_echo
description: "Echoes"
worker_kind: processor
processing_backend: "./echo.js#Echo"
input_schema: { type: object, properties: { text: { type: string } } }
output_schema: { type: object }
`;

let dir: string;
let workerFile: string;
let cacheFile: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "loom-parse-cache-"));
  workerFile = path.join(dir, "cached_echo.yaml");
  cacheFile = path.join(dir, "cache", "parsed.json");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Loads `file` the way a gateway starts: a fresh file cache over the persistent parse cache. */
async function start(file: string) {
  const fileCache = new ConfigFileCache({ parseCache: new ParseCache(cacheFile) });
  try {
    return await loadWorkerConfig(file, { fileCache });
  } finally {
    await fileCache.saveParses();
  }
}

/** The cache file's entries ({} when nothing was written). */
async function storedEntries(): Promise<Record<string, string>> {
  const text = await readFile(cacheFile, "utf8").catch(() => '{"entries": {}}');
  return (JSON.parse(text) as { entries: Record<string, string> }).entries;
}

describe("parse cache", () => {
  it("serves a later start's data from the cache, keyed by the file's text", async () => {
    await rm(cacheFile, { force: true });
    await writeFile(workerFile, WORKER);
    const first = await start(workerFile);
    const entries = await storedEntries();
    expect(Object.values(entries)).toHaveLength(1);
    // What the next start reads is what the cache holds, not a new parse:
    const [digest, json] = Object.entries(entries)[0] as [string, string];
    const marked = JSON.stringify({ ...JSON.parse(json), description: "from the cache" });
    const content = JSON.parse(await readFile(cacheFile, "utf8"));
    await writeFile(cacheFile, JSON.stringify({ ...content, entries: { [digest]: marked } }));
    const second = await start(workerFile);
    expect(second.description).toBe("from the cache");
    expect({ ...second, description: first.description }).toEqual(first);
    // A changed text is parsed again.
    await writeFile(workerFile, WORKER.replace('"Echoes"', '"Echoes again"'));
    expect((await start(workerFile)).description).toBe("Echoes again");
  });

  it("locates an issue at its line and column when the data came from the cache", async () => {
    await rm(cacheFile, { force: true });
    await writeFile(workerFile, `${WORKER}timeout_seconds: soon\n`);
    const issuesOf = async () => {
      const error = await start(workerFile).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigValidationError);
      return (error as ConfigValidationError).issues.map((i) => `${i.line}:${i.column} ${i.path}`);
    };
    const cold = await issuesOf();
    expect(Object.values(await storedEntries())).toHaveLength(1);
    expect(cold).toContain("7:18 timeout_seconds");
    expect(await issuesOf()).toEqual(cold);
  });

  it("keeps nothing JSON cannot hold exactly, and ignores a damaged cache or another parser's", async () => {
    await rm(cacheFile, { force: true });
    await writeFile(
      workerFile,
      WORKER.replace("output_schema: { type: object }", "output_schema: { type: object, maximum: .inf }"),
    );
    const infinite = await start(workerFile);
    expect(infinite.outputSchema).toEqual({ type: "object", maximum: Number.POSITIVE_INFINITY });
    expect(await storedEntries()).toEqual({});

    await writeFile(workerFile, WORKER);
    await writeFile(cacheFile, "{ not json");
    expect((await start(workerFile)).description).toBe("Echoes");

    const [digest, json] = Object.entries(await storedEntries())[0] as [string, string];
    const marked = JSON.stringify({ ...JSON.parse(json), description: "from another parser" });
    await writeFile(cacheFile, JSON.stringify({ parser: "yaml 0.0.0", entries: { [digest]: marked } }));
    expect((await start(workerFile)).description).toBe("Echoes");
  });
});
