/**
 * Runs an eval suite against a worker: every case through a {@link Dispatcher} with bounded
 * concurrency, scored, summarized into an {@link EvalRun}.
 */
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { Tier, WorkerConfig } from "../../config/types.js";
import { LoomError } from "../../errors.js";
import type { LoomSettings } from "../../llm/settings.js";
import type { Dispatcher } from "../../worker/dispatcher.js";
import { LocalDispatcher } from "../../worker/local-dispatcher.js";
import { createJudge, DEFAULT_JUDGE_TIER } from "./judge.js";
import { runCase } from "./run-case.js";
import { newRunId } from "./run-id.js";
import type { CaseResult, EvalRun } from "./run-types.js";
import type { EvalSuite } from "./suite-types.js";
import { summarize } from "./summary.js";

/** Cases run at once when neither the options nor the suite say. */
export const DEFAULT_EVAL_CONCURRENCY = 4;

/** How {@link runSuite} runs. */
export interface RunSuiteOptions {
  /** The loaded worker config the suite is for (its `name` must be the suite's `worker`). */
  worker: WorkerConfig;
  /** LLM settings for the worker and the judge. */
  settings: LoomSettings;
  /** Where tasks run. @default a LocalDispatcher for this worker (closed when the run ends) */
  dispatcher?: Dispatcher;
  /** The tier the worker runs on. @default the worker's default_model_tier */
  tier?: Tier;
  /** Cases run at once. @default suite.concurrency ?? 4 */
  concurrency?: number;
  /** sha256 of the worker YAML text. @default the hash of the file at worker.sourcePath, if readable */
  configHash?: string;
  /** Aborting starts no more cases and cancels the running ones; the run comes back `aborted`. */
  signal?: AbortSignal;
  /** Called as each case finishes (in finishing order), with its index in the suite. */
  onCase?: (result: CaseResult, index: number) => void;
}

/**
 * Runs every case of `suite` and returns the run, cases in suite order. A failed task or judge
 * call is a case with an `error` (score 0), never a throw; it throws only for what stops the run
 * from starting (the suite is for another worker, bad concurrency, no backend for the judge tier).
 *
 * @example
 * const run = await runSuite(await loadSuite(file), { worker, settings: await loadSettings() });
 * console.log(`${run.summary.passed}/${run.summary.cases} passed`);
 */
export async function runSuite(suite: EvalSuite, options: RunSuiteOptions): Promise<EvalRun> {
  const { worker, settings, signal } = options;
  if (suite.worker !== worker.name) {
    throw new LoomError(
      "invalid_input",
      `the eval suite is for worker '${suite.worker}', not '${worker.name}': set worker: ${worker.name} in the suite`,
      { details: { suite_worker: suite.worker, worker: worker.name } },
    );
  }
  const concurrency = options.concurrency ?? suite.concurrency ?? DEFAULT_EVAL_CONCURRENCY;
  if (!Number.isInteger(concurrency) || concurrency < 1) {
    throw new LoomError("invalid_input", `eval concurrency must be a whole number ≥ 1 (got ${concurrency})`);
  }
  const tier = options.tier ?? worker.defaultModelTier;
  const judge =
    suite.scoring.method === "llm_judge"
      ? createJudge(suite.scoring.tier ?? DEFAULT_JUDGE_TIER, settings)
      : undefined;
  const configHash = options.configHash ?? (await hashFile(worker.sourcePath));
  const ownDispatcher = options.dispatcher
    ? undefined
    : new LocalDispatcher({ workers: new Map([[worker.name, worker]]), settings });
  const dispatcher = options.dispatcher ?? (ownDispatcher as Dispatcher);
  const startedAt = new Date();
  const results = new Array<CaseResult | undefined>(suite.cases.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (!signal?.aborted) {
      const index = next++;
      const evalCase = suite.cases[index];
      if (evalCase === undefined) return;
      const result = await runCase(evalCase, {
        suite,
        workerName: worker.name,
        tier,
        dispatcher,
        ...(judge ? { judge } : {}),
        ...(signal ? { signal } : {}),
      });
      results[index] = result;
      options.onCase?.(result, index);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, suite.cases.length) }, lane));
  } finally {
    await ownDispatcher?.close();
  }
  const cases = results.filter((r): r is CaseResult => r !== undefined);
  return {
    id: newRunId(startedAt),
    worker: worker.name,
    tier,
    scoring: suite.scoring.method,
    pass_threshold: suite.pass_threshold,
    started_at: startedAt.toISOString(),
    finished_at: new Date().toISOString(),
    config_hash: configHash,
    cases,
    summary: summarize(cases),
    ...(cases.length < suite.cases.length || signal?.aborted ? { aborted: true } : {}),
  };
}

/** sha256 (hex) of a YAML text, as EvalRun.config_hash holds it. */
export function configHashOf(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

async function hashFile(file: string | undefined): Promise<string> {
  if (file === undefined) return "";
  const text = await readFile(file, "utf8").catch(() => undefined);
  return text === undefined ? "" : configHashOf(text);
}
