/**
 * What `loom eval` does, as one library call: find the worker and its suite, run the suite, keep
 * the run in the store, compare it with the golden baseline (or make it the baseline).
 */
import { readFile } from "node:fs/promises";
import { loadWorkerConfig } from "../../config/loaders.js";
import type { Tier } from "../../config/types.js";
import { type LoomSettings, loadSettings } from "../../llm/settings.js";
import { type CaseDelta, compareRuns } from "./compare.js";
import { findWorkerFile } from "./find-worker.js";
import { configHashOf, runSuite } from "./run-suite.js";
import type { CaseResult, EvalRun } from "./run-types.js";
import { EvalStore } from "./store.js";
import { evalSuitePath, loadSuite } from "./suite.js";

/** What to evaluate and how. */
export interface RunEvalOptions {
  /** A worker name in `<configsDir>/workers`, or a path to a worker YAML file. */
  worker: string;
  /** The configs folder (suites in `evals/`, the store in `../.loom`). @default "configs" */
  configsDir?: string;
  /** @default `<configsDir>/evals/<worker name>.yaml` */
  suiteFile?: string;
  /** @default the worker's default_model_tier */
  tier?: Tier;
  /** @default the suite's concurrency, else 4 */
  concurrency?: number;
  /** Make this run the golden baseline (instead of comparing with the current one). @default false */
  promoteBaseline?: boolean;
  /** @default loadSettings({ configFile: the worker file }) */
  settings?: LoomSettings;
  /** @default EvalStore.forConfigs(configsDir) */
  store?: EvalStore;
  signal?: AbortSignal;
  onCase?: (result: CaseResult, index: number, total: number) => void;
}

/** The outcome of {@link runEval}. */
export interface RunEvalOutcome {
  run: EvalRun;
  workerFile: string;
  suiteFile: string;
  /** The baseline compared with (absent when there was none, or the run was promoted). */
  baseline?: EvalRun;
  deltas?: CaseDelta[];
  /** The run was saved in the store (an aborted run is not). */
  saved: boolean;
  promoted: boolean;
}

/**
 * Runs a worker's eval suite end to end. Throws `invalid_input`/`config_invalid`/`config_error`
 * for what stops the run (unknown worker, bad suite, no LLM backend); case failures are in the run.
 *
 * @example
 * const { run, deltas } = await runEval({ worker: "entity_extractor", configsDir: "configs" });
 */
export async function runEval(options: RunEvalOptions): Promise<RunEvalOutcome> {
  const configsDir = options.configsDir ?? "configs";
  const workerFile = await findWorkerFile(configsDir, options.worker);
  const workerText = await readFile(workerFile, "utf8");
  const worker = await loadWorkerConfig(workerFile);
  const suiteFile = options.suiteFile ?? evalSuitePath(configsDir, worker.name);
  const suite = await loadSuite(suiteFile);
  const settings = options.settings ?? (await loadSettings({ configFile: workerFile }));
  const store = options.store ?? EvalStore.forConfigs(configsDir);
  const baseline = options.promoteBaseline ? undefined : await store.baseline(worker.name);
  const total = suite.cases.length;
  const run = await runSuite(suite, {
    worker,
    settings,
    configHash: configHashOf(workerText),
    ...(options.tier ? { tier: options.tier } : {}),
    ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.onCase ? { onCase: (result, index) => options.onCase?.(result, index, total) } : {}),
  });
  const saved = !run.aborted;
  if (saved) await store.saveRun(run);
  const promoted = saved && options.promoteBaseline === true;
  if (promoted) await store.promoteBaseline(run.worker, run.id);
  return {
    run,
    workerFile,
    suiteFile,
    saved,
    promoted,
    ...(baseline ? { baseline, deltas: compareRuns(run, baseline) } : {}),
  };
}

/** The checks `loom eval` can gate on. */
export interface EvalGateOptions {
  /** Fail when a case passes in the baseline and fails now. */
  gate?: boolean;
  /** Fail when the pass rate is below this (0..1). */
  minPassRate?: number;
}

/**
 * Why the outcome fails the gates (empty when it passes).
 *
 * @example if (gateFailures(outcome, { gate: true }).length > 0) process.exitCode = 1;
 */
export function gateFailures(outcome: RunEvalOutcome, options: EvalGateOptions): string[] {
  const reasons: string[] = [];
  if (options.gate) {
    const newlyFailing = (outcome.deltas ?? [])
      .filter((d) => d.change === "newly_failing")
      .map((d) => d.name);
    if (newlyFailing.length > 0) {
      reasons.push(
        `${newlyFailing.length} case(s) newly failing vs the baseline: ${newlyFailing.join(", ")}`,
      );
    }
  }
  const { pass_rate } = outcome.run.summary;
  if (options.minPassRate !== undefined && pass_rate < options.minPassRate) {
    reasons.push(`pass rate ${pass_rate.toFixed(3)} is below --min-pass-rate ${options.minPassRate}`);
  }
  if (outcome.run.aborted) reasons.push("the run was aborted before every case ran");
  return reasons;
}
