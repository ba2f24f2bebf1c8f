/**
 * Preloaded into a process under measurement (`node --expose-gc --import ./bench/memory-probe.mjs`):
 * on SIGUSR2 it runs full garbage collections and appends one JSON line with the process's memory
 * to the file named by $LOOM_MEMORY_PROBE. RSS measured after a full GC tells retained memory
 * from garbage the collector has not yet had a reason to reclaim.
 */
import { appendFileSync } from "node:fs";

const file = process.env.LOOM_MEMORY_PROBE;
if (file && typeof globalThis.gc === "function") {
  process.on("SIGUSR2", () => {
    for (let i = 0; i < 3; i++) globalThis.gc();
    const { rss, heapUsed, external, arrayBuffers } = process.memoryUsage();
    appendFileSync(file, `${JSON.stringify({ rss, heapUsed, external, arrayBuffers })}\n`);
  });
}
