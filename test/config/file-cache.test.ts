/**
 * ConfigFileCache.locate (#18): references are looked up on disk once, and again after a reload
 * (`forget`) when they were not found or when the file they were found at changed.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigFileCache } from "../../src/config/file-cache.js";

let dir: string;
let config: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "loom-file-cache-"));
  config = path.join(dir, "gateway.yaml");
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("ConfigFileCache.locate", () => {
  it("finds a file again once it was deleted or created, and keeps what did not change", async () => {
    const cache = new ConfigFileCache();
    const kept = path.join(dir, "kept.yaml");
    const deleted = path.join(dir, "deleted.yaml");
    const created = path.join(dir, "created.yaml");
    await writeFile(kept, "name: kept\n");
    await writeFile(deleted, "name: deleted\n");
    expect(cache.locate(config, "kept.yaml")).toEqual({ path: kept, exists: true });
    expect(cache.locate(config, "deleted.yaml")).toEqual({ path: deleted, exists: true });
    expect(cache.locate(config, "created.yaml")).toEqual({ path: created, exists: false });

    await rm(deleted);
    await writeFile(created, "name: created\n");
    cache.forget([deleted]);
    expect(cache.locate(config, "deleted.yaml").exists).toBe(false);
    expect(cache.locate(config, "created.yaml").exists).toBe(true);
    expect(cache.locate(config, "kept.yaml").exists).toBe(true);
  });
});
