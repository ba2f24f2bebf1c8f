/**
 * `loom goals list | show GOAL_ID | cancel GOAL_ID`: running and recent goals on the mesh, from
 * the orchestrators' checkpoints (kept a day after a goal ends).
 */
import type { Command } from "commander";
import { LoomError } from "../errors.js";
import { addNatsFlags, type NatsFlags, onMesh } from "./mesh-flags.js";

interface GoalsFlags extends NatsFlags {
  json?: boolean;
  checkpointUrl?: string;
}

const CHECKPOINT_URL = [
  "--checkpoint-url <url>",
  "the orchestrators' Valkey/Redis checkpoints (default: NATS KV)",
] as const;

async function store(mesh: import("../bus/streams.js").Mesh, flags: GoalsFlags) {
  const { openCheckpointStore } = await import("../mesh/checkpoints.js");
  return openCheckpointStore(mesh, flags.checkpointUrl);
}

export function registerGoals(program: Command): void {
  const goals = program
    .command("goals")
    .description("Running and recent goals on the mesh: list, show, cancel");
  addNatsFlags(
    goals
      .command("list")
      .description("Goals with a checkpoint, newest first")
      .option("--json", "print JSON")
      .option(...CHECKPOINT_URL),
  ).action((flags: GoalsFlags) =>
    onMesh("goals list", flags, async (mesh) => {
      const checkpoints = await store(mesh, flags);
      const list = await checkpoints.list().finally(() => checkpoints.close?.());
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      if (list.length === 0) process.stdout.write("no goals\n");
      for (const cp of list) {
        const stages = Object.values(cp.stages);
        const finished = stages.filter((s) => s.status === "completed" || s.status === "skipped").length;
        const failed = stages.find(
          (s) => s.status === "failed" || s.status === "timeout" || s.status === "cancelled",
        );
        const state = cp.status === "running" ? "running" : failed ? failed.status : "completed";
        process.stdout.write(
          `${cp.goal.goal_id}\t${cp.pipeline}\t${state}\t${finished}/${stages.length} stages\t${cp.updated_at}\n`,
        );
      }
    }),
  );
  addNatsFlags(
    goals
      .command("show")
      .description("One goal: its stages, and its result once it ended")
      .argument("<goal_id>")
      .option(...CHECKPOINT_URL),
  ).action((goalId: string, flags: GoalsFlags) =>
    onMesh("goals show", flags, async (mesh) => {
      const [{ STREAMS }, { goalResultSubject }] = await Promise.all([
        import("../bus/streams.js"),
        import("../bus/subjects.js"),
      ]);
      const checkpoints = await store(mesh, flags);
      const checkpoint = await checkpoints.load(goalId).finally(() => checkpoints.close?.());
      const stored = await mesh.jsm.streams
        .getMessage(STREAMS.results, { last_by_subj: goalResultSubject(goalId) })
        .catch(() => null);
      const update = stored?.json<{ type: string; result?: unknown }>();
      if (!checkpoint && update?.type !== "result") {
        throw new LoomError(
          "invalid_input",
          `no goal '${goalId}' (goals are kept a day after they end; \`loom goals list\` shows them)`,
        );
      }
      process.stdout.write(
        `${JSON.stringify({ checkpoint: checkpoint ?? null, result: update?.type === "result" ? update.result : null }, null, 2)}\n`,
      );
    }),
  );
  addNatsFlags(
    goals.command("cancel").description("Cancel a goal: its running stages stop").argument("<goal_id>"),
  ).action((goalId: string, flags: NatsFlags) =>
    onMesh("goals cancel", flags, async (mesh, nc) => {
      const [{ goalCancelSubject, idToken }, { encodeJson }] = await Promise.all([
        import("../bus/subjects.js"),
        import("../bus/wire.js"),
      ]);
      await mesh.cancelled.put(`goal.${idToken(goalId)}`, encodeJson({ at: new Date().toISOString() }));
      nc.publish(goalCancelSubject(goalId));
      await nc.flush();
      process.stdout.write(`cancel sent for goal ${goalId}\n`);
    }),
  );
}
