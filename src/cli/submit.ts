/**
 * `loom submit "instruction" --context k=v... [--pipeline NAME] [--goal JSON] [--no-wait] [--json]
 * [--timeout S]`: submits a goal to the mesh (guide Part 4). Prints the goal id; unless
 * --no-wait, shows each stage as it starts and ends, then the result. Exit code 0 only when the
 * goal completed.
 */
import type { Command } from "commander";
import { LoomError } from "../errors.js";
import type { Goal } from "../pipeline/types.js";
import { goalProgressView } from "./goal-progress-view.js";
import { addNatsFlags, type NatsFlags } from "./mesh-flags.js";
import { reportError } from "./report.js";

interface SubmitFlags extends NatsFlags {
  context: string[];
  goal?: string;
  pipeline?: string;
  wait: boolean;
  json?: boolean;
  timeout?: number;
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

async function goalFrom(instruction: string | undefined, flags: SubmitFlags): Promise<Goal> {
  const { createGoal, parseContextPairs, parseGoalJson } = await import("../pipeline/goal.js");
  if (flags.goal !== undefined && flags.context.length > 0) {
    throw new LoomError("invalid_input", "give either --goal JSON or --context key=value, not both");
  }
  const goal =
    flags.goal !== undefined ? parseGoalJson(flags.goal) : createGoal(parseContextPairs(flags.context));
  if (instruction !== undefined) goal.instruction = instruction;
  return goal;
}

export function registerSubmit(program: Command): void {
  addNatsFlags(
    program
      .command("submit")
      .description("Submit a goal to the pipeline orchestrators on the mesh and follow it")
      .argument("[instruction]", "the goal's instruction (goal.instruction)")
      .option("--context <key=value>", "a goal context value (repeatable; values are strings)", collect, [])
      .option("--goal <json>", 'the whole goal as JSON, e.g. \'{"context": {"pages": 3}}\' (typed values)')
      .option("--pipeline <name>", "the pipeline to run (default: any orchestrator, via loom.goals.incoming)")
      .option("--no-wait", "print the goal id and return; the goal runs on")
      .option("--json", "print the result as JSON")
      .option("--timeout <seconds>", "stop following after this long (the goal runs on); exit 1", Number),
  ).action(async (instruction: string | undefined, flags: SubmitFlags) => {
    try {
      process.exitCode = await submit(instruction, flags);
    } catch (error) {
      reportError("submit", error);
      process.exitCode = 1;
    }
  });
}

async function submit(instruction: string | undefined, flags: SubmitFlags): Promise<number> {
  const goal = await goalFrom(instruction, flags);
  const [
    { resolveNatsUrl },
    { withMesh },
    { NatsGoalRunner },
    { formatTimeline },
    tracer,
    { exitAfterFlush },
  ] = await Promise.all([
    import("../bus/connection.js"),
    import("../mesh/process.js"),
    import("../mesh/nats-goal-runner.js"),
    import("../pipeline/timeline.js"),
    import("../telemetry/tracer.js"),
    import("../telemetry/enable.js"),
  ]);
  return withMesh(
    {
      url: resolveNatsUrl(flags.natsUrl),
      name: "loom-submit",
      ...(flags.natsCreds ? { credsFile: flags.natsCreds } : {}),
    },
    async (mesh, nc) => {
      const runner = new NatsGoalRunner({
        nc,
        mesh,
        ...(flags.pipeline ? { pipeline: flags.pipeline } : {}),
      });
      if (!flags.json) process.stdout.write(`${goal.goal_id}\n`);
      process.stderr.write(`goal ${goal.goal_id} → ${runner.subject}\n`);
      // The root of the goal's trace when tracing is on: the orchestrator's spans hang under it.
      const span = tracer.startSpan("loom.submit", {
        "loom.goal_id": goal.goal_id,
        "loom.pipeline": flags.pipeline,
      });
      /** Leaves through process.exit (the goal runs on) without losing this span. */
      const leave = (code: number, why: string): void => {
        span.recordError("interrupted", why);
        span.end();
        exitAfterFlush(code);
      };
      if (!flags.wait) {
        await tracer.withSpan(span, () => runner.submit(goal)).finally(() => span.end());
        return 0;
      }
      const controller = new AbortController();
      // Ctrl-C: on a terminal, ask whether to cancel the goal or only stop watching it; piped, cancel.
      const onSigint = () => {
        if (!process.stdin.isTTY) {
          process.stderr.write("interrupted: cancelling the goal\n");
          controller.abort(new Error("interrupted (SIGINT)"));
          return;
        }
        process.once("SIGINT", () => process.exit(130));
        void askToCancel(goal.goal_id).then((cancel) => {
          if (cancel) controller.abort(new Error("cancelled from loom submit (Ctrl-C)"));
          else {
            process.stderr.write(
              `stopped watching; goal ${goal.goal_id} runs on (\`loom goals show ${goal.goal_id}\`)\n`,
            );
            leave(130, "stopped watching (Ctrl-C)");
          }
        });
      };
      process.once("SIGINT", onSigint);
      const timeout =
        flags.timeout === undefined
          ? undefined
          : setTimeout(() => {
              process.stderr.write(
                `loom submit: no result within ${flags.timeout} s; the goal runs on (goal ${goal.goal_id})\n`,
              );
              leave(1, `no result within ${flags.timeout} s`);
            }, flags.timeout * 1000);
      try {
        const view = goalProgressView();
        const result = await tracer
          .withSpan(span, () =>
            runner.run(goal, { signal: controller.signal, onEvent: (event) => view.onEvent(event) }),
          )
          .finally(() => view.end());
        if (result.status !== "completed") span.recordError(result.error?.code ?? "failed", result.status);
        if (result.timeline.length > 0) process.stderr.write(`${formatTimeline(result).join("\n")}\n`);
        process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
        if (result.status !== "completed") {
          process.stderr.write(`loom submit: goal ${result.status}: ${result.error?.message ?? ""}\n`);
          return 1;
        }
        return 0;
      } finally {
        span.end();
        clearTimeout(timeout);
        process.off("SIGINT", onSigint);
      }
    },
  );
}

/** Asks on the terminal whether Ctrl-C should cancel the goal too. */
async function askToCancel(goalId: string): Promise<boolean> {
  const { createInterface } = await import("node:readline/promises");
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(
      `\ncancel goal ${goalId} too? [y/N] (N: stop watching, the goal runs on) `,
    );
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
