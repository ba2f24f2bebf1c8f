import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EvalStore } from "../../../src/workshop/eval/index.js";
import { caseResult, evalRun } from "./run-fixtures.js";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "loom-eval-store-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("EvalStore", () => {
  it("lives in .loom beside the configs folder", () => {
    expect(EvalStore.forConfigs(path.join(dir, "configs")).loomDir).toBe(path.join(dir, ".loom"));
  });

  it("keeps one file per run, lists newest first, and reads one back", async () => {
    const store = new EvalStore(path.join(dir, ".loom"));
    const older = evalRun([caseResult("a", true)], new Date("2026-01-01T00:00:00Z"));
    const newer = evalRun([caseResult("a", false)], new Date("2026-02-01T00:00:00Z"));
    await store.saveRun(older);
    await store.saveRun(newer);
    expect((await store.listRuns("entity_extractor")).map((r) => r.id)).toEqual([newer.id, older.id]);
    expect((await store.listRuns("entity_extractor", 1)).map((r) => r.id)).toEqual([newer.id]);
    expect(await store.getRun("entity_extractor", older.id)).toEqual(older);
    expect(await store.getRun("entity_extractor", "2020-01-01T00-00-00.000Z-00000000")).toBeUndefined();
    expect(await store.listRuns("summarizer")).toEqual([]);
    expect(await readdir(path.join(dir, ".loom/evals/entity_extractor/runs"))).toHaveLength(2);
  });

  it("promotes a stored run to the baseline and refuses an unknown one", async () => {
    const store = new EvalStore(path.join(dir, ".loom"));
    expect(await store.baseline("entity_extractor")).toBeUndefined();
    const run = evalRun([caseResult("a", true)]);
    await store.saveRun(run);
    await store.promoteBaseline("entity_extractor", run.id);
    expect((await store.baseline("entity_extractor"))?.id).toBe(run.id);
    expect(await store.baselineRecord("entity_extractor")).toMatchObject({ run_id: run.id });
    await expect(
      store.promoteBaseline("entity_extractor", "2020-01-01T00-00-00.000Z-ffffffff"),
    ).rejects.toMatchObject({
      code: "invalid_input",
      message: expect.stringContaining(`no eval run '2020-01-01T00-00-00.000Z-ffffffff'`),
    });
  });

  it("refuses ids and worker names that could leave the store", async () => {
    const store = new EvalStore(path.join(dir, ".loom"));
    await writeFile(path.join(dir, "secret.json"), "{}");
    for (const id of ["../../../secret", "..", "a/b", "a\\b", ".hidden", "", "x".repeat(200)]) {
      await expect(store.getRun("entity_extractor", id)).rejects.toMatchObject({ code: "invalid_input" });
      await expect(store.promoteBaseline("entity_extractor", id)).rejects.toMatchObject({
        code: "invalid_input",
      });
    }
    await expect(store.listRuns("../..")).rejects.toMatchObject({ code: "invalid_input" });
    await expect(store.saveRun({ ...evalRun([]), id: "../x" })).rejects.toMatchObject({
      code: "invalid_input",
    });
  });

  it("two stores writing at once never corrupt a record", async () => {
    const loom = path.join(dir, ".loom");
    const [a, b] = [new EvalStore(loom), new EvalStore(loom)];
    const big = Array.from({ length: 200 }, (_, i) =>
      caseResult(`case_${i}`, i % 3 !== 0, { raw_response: "x".repeat(2000) }),
    );
    const runs = Array.from({ length: 40 }, (_, i) => evalRun(big, new Date(Date.UTC(2026, 0, 1, 0, 0, i))));
    await Promise.all(runs.map((run, i) => (i % 2 === 0 ? a : b).saveRun(run)));
    // Both promote different runs at the same time: the baseline is one of them, whole.
    await Promise.all(
      runs.slice(0, 10).map((run, i) => (i % 2 === 0 ? a : b).promoteBaseline(run.worker, run.id)),
    );
    const listed = await new EvalStore(loom).listRuns("entity_extractor");
    expect(listed.map((r) => r.id)).toEqual(runs.map((r) => r.id).reverse());
    for (const run of listed) expect(run.cases).toHaveLength(200);
    const baseline = await a.baseline("entity_extractor");
    expect(runs.slice(0, 10).map((r) => r.id)).toContain(baseline?.id);
    // The same run written by both at once: whichever rename lands last, the file is whole.
    const same = runs[0];
    if (!same) throw new Error("no runs");
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? a : b).saveRun({ ...same, config_hash: `writer_${i}` }),
      ),
    );
    expect((await b.getRun("entity_extractor", same.id))?.config_hash).toMatch(/^writer_\d$/);
    const files = await readdir(path.join(loom, "evals/entity_extractor/runs"));
    expect(files.filter((f) => !f.endsWith(".json") || f.startsWith("."))).toEqual([]);
  });
});
