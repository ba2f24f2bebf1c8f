/**
 * Benchmark harness: `npm run bench -- <name>` runs bench/<name>.ts; `npm run bench` runs them all.
 * A benchmark module exports `run(): Promise<BenchOutcome | undefined>`, prints its own table, and
 * may report whether it met its goals; a missed goal makes the exit code 1. Files whose name starts
 * with `_` are helpers, not benchmarks.
 */
import { readdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

/** What a benchmark may return: whether every goal it measures was met. */
export interface BenchOutcome {
  passed: boolean;
}

interface BenchModule {
  run?: () => Promise<BenchOutcome | undefined>;
}

const here = dirname(fileURLToPath(import.meta.url));

async function available(): Promise<string[]> {
  const files = await readdir(here);
  return files
    .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
    .map((f) => f.slice(0, -3))
    .sort();
}

async function main(): Promise<void> {
  const names = await available();
  // Names come first; anything from the first `--flag` on is the benchmarks' own options.
  const args = process.argv.slice(2).filter((a) => a !== "--");
  const firstFlag = args.findIndex((a) => a.startsWith("--"));
  const wanted = firstFlag < 0 ? args : args.slice(0, firstFlag);
  for (const name of wanted) {
    if (!names.includes(name)) {
      console.error(`unknown benchmark '${name}' (available: ${names.join(", ") || "none"})`);
      process.exit(1);
    }
  }
  let failed = false;
  for (const name of wanted.length > 0 ? wanted : names) {
    const module = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as BenchModule;
    if (typeof module.run !== "function") {
      console.error(`bench/${name}.ts does not export a run() function`);
      process.exit(1);
    }
    console.log(`\n== bench: ${name} ==`);
    const outcome = await module.run();
    if (outcome && !outcome.passed) {
      console.log(`bench ${name}: some goals were missed`);
      failed = true;
    }
  }
  if (failed) process.exitCode = 1;
}

await main();
