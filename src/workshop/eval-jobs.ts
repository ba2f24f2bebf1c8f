/** Eval runs started from the Workshop: run in the background, stored in the EvalStore when done. */
import { loadWorkerConfig, type Tier } from "../config/index.js";
import { loadSettings } from "../llm/settings.js";
import type { WorkerEntry } from "./catalog.js";
import { type CaseResult, type EvalStore, type EvalSuite, runSuite } from "./eval/index.js";
import type { Job, Jobs } from "./jobs.js";
import { contentHash } from "./versions.js";

export type EvalCaseEvent = { type: "case"; index: number; total: number; result: CaseResult };

/** Starts `suite` against the worker's saved text; the job ends with the stored run's URL. */
export function startEvalJob(
  jobs: Jobs<EvalCaseEvent>,
  store: EvalStore,
  entry: WorkerEntry,
  workerText: string,
  suite: EvalSuite,
  options: { tier?: Tier; concurrency?: number },
): Job<EvalCaseEvent> {
  return jobs.start(entry.name, async (emit, signal) => {
    const worker = await loadWorkerConfig(entry.file, { text: workerText });
    const settings = await loadSettings({ configFile: entry.file });
    const run = await runSuite(suite, {
      worker,
      settings,
      configHash: contentHash(workerText),
      signal,
      ...(options.tier ? { tier: options.tier } : {}),
      ...(options.concurrency ? { concurrency: options.concurrency } : {}),
      onCase: (result, index) => emit({ type: "case", index, total: suite.cases.length, result }),
    });
    await store.saveRun(run);
    return `/workers/${encodeURIComponent(entry.name)}/eval/runs/${encodeURIComponent(run.id)}`;
  });
}
