/**
 * DuckDBQueryBackend benchmark (issue 6): each action through the backend against the same SQL
 * run directly on a connection to the same file (see `_duckdb-measure.ts`), 100k rows.
 * Goal: backend time ≤ 1.2 × direct time for every action. `bench/scale.ts` runs the same
 * measurement at 10k, 100k and 1M rows. First, the bm25_sql index across a restart
 * (`_duckdb-restart.ts`): the first search of a new backend ≤ 0.5 s.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildDocumentsTable, measureDuckDBActions } from "./_duckdb-measure.js";
import { measureRestart } from "./_duckdb-restart.js";
import type { BenchOutcome } from "./run.js";

const ROWS = 100_000;
const RATIO_GOAL = 1.2;

/** Runs the benchmark and prints a table of per-call times and ratios. */
export async function run(): Promise<BenchOutcome> {
  const dir = await mkdtemp(path.join(tmpdir(), "loom-bench-duckdb-"));
  const file = path.join(dir, "bench.duckdb");
  try {
    await buildDocumentsTable(file, ROWS);
    let passed = await measureRestart(file);
    // The side file is built now: the backend's first search below loads it.
    const { indexBuildMs, actions } = await measureDuckDBActions(file, { rows: ROWS });
    console.log(
      `bm25_sql index: ${indexBuildMs.backend.toFixed(0)} ms (backend, first search until its index is current), ${indexBuildMs.direct.toFixed(0)} ms (direct TEMP build)`,
    );
    console.log(
      `\n${ROWS.toLocaleString("en")} rows; median ms per call, calls alternating backend/direct\n`,
    );
    console.log(
      `${"action".padEnd(14)}${"calls".padStart(7)}${"backend".padStart(10)}${"direct".padStart(10)}${"ratio".padStart(8)}   goal ≤ ${RATIO_GOAL}×`,
    );
    for (const a of actions) {
      const ratio = a.backendMs / a.directMs;
      const ok = ratio <= RATIO_GOAL;
      passed &&= ok;
      console.log(
        `${a.action.padEnd(14)}${String(a.calls).padStart(7)}${a.backendMs.toFixed(2).padStart(10)}${a.directMs.toFixed(2).padStart(10)}${ratio.toFixed(2).padStart(8)}   ${ok ? "ok" : "MISSED"}`,
      );
    }
    return { passed };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
