/**
 * `loom mesh status [--json]` and `loom dead-letters list | show ID | replay ID... | purge [ID]`:
 * what runs on the mesh, and the tasks it could not deliver.
 */

import type { Command } from "commander";
import { addNatsFlags, type NatsFlags, onMesh } from "./mesh-flags.js";

interface JsonFlags extends NatsFlags {
  json?: boolean;
}

function parseId(value: string): number {
  const id = Number(value);
  if (!Number.isInteger(id) || id < 1)
    throw new Error(
      `'${value}' is not a dead-letter id (ids are the numbers \`loom dead-letters list\` shows)`,
    );
  return id;
}

export function registerMesh(program: Command): void {
  const mesh = program.command("mesh").description("Inspect the NATS mesh");
  addNatsFlags(
    mesh
      .command("status")
      .description(
        "Routers, worker types × tiers with instances, in flight, queued, done, failed; dead letters",
      )
      .option("--json", "print JSON"),
  ).action((flags: JsonFlags) =>
    onMesh("mesh status", flags, async (m, nc) => {
      const { formatMeshStatus, meshStatus } = await import("../mesh/status.js");
      const { redactNatsUrl, resolveNatsUrl } = await import("../bus/connection.js");
      const status = await meshStatus(
        m,
        `${redactNatsUrl(resolveNatsUrl(flags.natsUrl))} (nats-server ${nc.info?.version ?? "?"})`,
      );
      process.stdout.write(
        flags.json ? `${JSON.stringify(status, null, 2)}\n` : `${formatMeshStatus(status)}\n`,
      );
    }),
  );

  const letters = program
    .command("dead-letters")
    .description("Tasks the mesh could not deliver: list, show, replay, purge");
  addNatsFlags(
    letters
      .command("list")
      .description("The newest dead letters")
      .option("--limit <n>", "how many", Number, 50)
      .option("--json", "print JSON"),
  ).action((flags: JsonFlags & { limit: number }) =>
    onMesh("dead-letters list", flags, async (m) => {
      const { listDeadLetters } = await import("../mesh/dead-letters.js");
      const list = await listDeadLetters(m.jsm, flags.limit);
      if (flags.json) process.stdout.write(`${JSON.stringify(list, null, 2)}\n`);
      else if (list.length === 0) process.stdout.write("no dead letters\n");
      else
        for (const l of list) {
          const age = Math.round((Date.now() - Date.parse(l.dead_at)) / 1000);
          process.stdout.write(
            `${l.id}\t${l.code}\t${l.worker_type ?? "-"}${l.tier ? `.${l.tier}` : ""}\t${age}s ago\t${l.reason}\n`,
          );
        }
    }),
  );
  addNatsFlags(
    letters
      .command("show")
      .description("One dead letter with its task")
      .argument("<id>", "dead-letter id", parseId),
  ).action((id: number, flags: NatsFlags) =>
    onMesh("dead-letters show", flags, async (m) => {
      const { showDeadLetter } = await import("../mesh/dead-letters.js");
      process.stdout.write(`${JSON.stringify(await showDeadLetter(m.jsm, id), null, 2)}\n`);
    }),
  );
  addNatsFlags(
    letters
      .command("replay")
      .description("Send dead letters' tasks to the router again")
      .argument("<ids...>", "dead-letter ids", (v, p: number[] = []) => [...p, parseId(v)]),
  ).action((ids: number[], flags: NatsFlags) =>
    onMesh("dead-letters replay", flags, async (m, nc) => {
      const [{ replayDeadLetter }, { jetstream }] = await Promise.all([
        import("../mesh/dead-letters.js"),
        import("@nats-io/jetstream"),
      ]);
      const js = jetstream(nc);
      for (const id of ids) {
        const task = await replayDeadLetter(m.jsm, js, id);
        process.stdout.write(
          `replayed ${id}: task ${task.task_id} (${task.worker_type}) → loom.tasks.incoming\n`,
        );
      }
    }),
  );
  addNatsFlags(
    letters
      .command("purge")
      .description("Remove one dead letter, or all")
      .argument("[id]", "dead-letter id (all when absent)", parseId),
  ).action((id: number | undefined, flags: NatsFlags) =>
    onMesh("dead-letters purge", flags, async (m) => {
      const { purgeDeadLetters } = await import("../mesh/dead-letters.js");
      process.stdout.write(`removed ${await purgeDeadLetters(m.jsm, id)} dead letter(s)\n`);
    }),
  );
}
