/**
 * `loom eval WORKER`: runs a worker's eval suite (guide Part 1, Step 5), keeps the run for the
 * Workshop's history, compares it with the golden baseline and gates CI on the result.
 */
import { type Command, InvalidArgumentError } from "commander";
import { TIERS, type Tier } from "../config/types.js";
import { reportError } from "./report.js";

interface EvalFlags {
  configs: string;
  suite?: string;
  tier?: Tier;
  baseline?: boolean;
  gate?: boolean;
  minPassRate?: number;
  junit?: string;
  concurrency?: number;
}

const EXIT_CODES = `
Exit codes:
  0  the suite ran (and passed the gates asked for)
  1  --gate and a case passes in the baseline but fails now, or the pass rate is
     below --min-pass-rate, or the run was interrupted
  2  usage or config error (unknown worker, bad suite file, no LLM backend)`;

/** Adds `loom eval`. */
export function registerEval(program: Command): void {
  program
    .command("eval")
    .description("Run a worker's eval suite, save the run, and compare it with the golden baseline")
    .argument("<worker>", "worker name (in <configs>/workers) or path to a worker YAML file")
    .option("--configs <dir>", "configs folder: workers/, evals/, and .loom/ beside it", "configs")
    .option("--suite <file>", "eval suite YAML (default: <configs>/evals/<worker>.yaml)")
    .option(
      "--tier <tier>",
      `model tier (${TIERS.join(", ")}; default: the worker's default_model_tier)`,
      tier,
    )
    .option("--baseline", "make this run the golden baseline")
    .option("--gate", "exit 1 when a case is newly failing against the baseline")
    .option("--min-pass-rate <rate>", "exit 1 when the pass rate is below this (0..1)", rate)
    .option("--junit <file>", "write a JUnit XML report")
    .option("--concurrency <n>", "cases run at once (default: the suite's, else 4)", positiveInt)
    .addHelpText("after", EXIT_CODES)
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .action(async (worker: string, flags: EvalFlags) => {
      process.exitCode = await evalCommand(worker, flags);
    });
}

async function evalCommand(worker: string, flags: EvalFlags): Promise<number> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort(new Error("interrupted (SIGINT)"));
  process.once("SIGINT", onSigint);
  try {
    // Imported when run, so other commands do not load the eval engine at start-up.
    const evals = await import("../workshop/eval/index.js");
    const progress = progressWriter(evals);
    const outcome = await evals.runEval({
      worker,
      configsDir: flags.configs,
      ...(flags.suite ? { suiteFile: flags.suite } : {}),
      ...(flags.tier ? { tier: flags.tier } : {}),
      ...(flags.concurrency ? { concurrency: flags.concurrency } : {}),
      promoteBaseline: flags.baseline === true,
      signal: controller.signal,
      onCase: progress.onCase,
    });
    progress.end();
    process.stdout.write(evals.formatSummary(outcome.run, outcome.deltas));
    if (outcome.promoted)
      process.stdout.write(`baseline: run ${outcome.run.id} is now the golden baseline\n`);
    if (flags.junit) await evals.writeFileAtomic(flags.junit, evals.toJUnitXml(outcome.run, outcome.deltas));
    const failures = evals.gateFailures(outcome, {
      ...(flags.gate ? { gate: true } : {}),
      ...(flags.minPassRate === undefined ? {} : { minPassRate: flags.minPassRate }),
    });
    for (const reason of failures) process.stderr.write(`loom eval: ${reason}\n`);
    return failures.length > 0 ? 1 : 0;
  } catch (error) {
    reportError("eval", error);
    return 2;
  } finally {
    process.off("SIGINT", onSigint);
  }
}

type Evals = typeof import("../workshop/eval/index.js");
type CaseResult = import("../workshop/eval/index.js").CaseResult;

/** A redrawn bar on a terminal; one plain line per case when stderr is piped. */
function progressWriter(evals: Evals): {
  onCase: (r: CaseResult, i: number, total: number) => void;
  end(): void;
} {
  const tty = process.stderr.isTTY === true;
  let done = 0;
  let failing = 0;
  return {
    onCase: (result, _index, total) => {
      done++;
      if (!result.passed) failing++;
      if (tty) process.stderr.write(`\r${evals.formatProgress(done, total, failing)}`);
      else process.stderr.write(`${evals.formatCaseLine(result)}\n`);
    },
    end: () => {
      if (tty && done > 0) process.stderr.write("\n");
    },
  };
}

function tier(value: string): Tier {
  if (!(TIERS as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`'${value}' is not a tier (tiers: ${TIERS.join(", ")})`);
  }
  return value as Tier;
}

function rate(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError(`expected a number from 0 to 1 (got '${value}')`);
  }
  return n;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a whole number ≥ 1 (got '${value}')`);
  return n;
}
