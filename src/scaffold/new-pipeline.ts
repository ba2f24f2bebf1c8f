/** `loom new pipeline`: flags and prompts → {@link pipelineYaml} → a validated file. */
import { existsSync } from "node:fs";
import path from "node:path";
import * as p from "@clack/prompts";
import { workerNamesIn } from "../config/workers-dir.js";
import { LoomError } from "../errors.js";
import { type CatalogWorker, readWorkerCatalog } from "./catalog.js";
import type { NewPipelineFlags } from "./flags.js";
import { checkName } from "./names.js";
import { positiveNumber } from "./new-worker.js";
import {
  fillDefaultMappings,
  mappingChoices,
  type PipelineAnswers,
  parseMapSpec,
  parseStageSpec,
  pipelineYaml,
  type StageAnswers,
} from "./pipeline.js";
import { Asker, UsageError, unwrap } from "./prompt.js";
import { MODEL_TIERS, type ModelTier } from "./worker.js";
import { checkOverwrite, defaultConfigFile, writeConfig } from "./write.js";

/** Runs `loom new pipeline`; prompts for what the flags did not give when `interactive`. */
export async function newPipeline(flags: NewPipelineFlags, interactive: boolean): Promise<void> {
  const ask = new Asker(interactive);
  if (interactive) p.intro("loom new pipeline");
  const workersDir = flags.workers ?? path.join(flags.configs, "workers");
  const workers = await readWorkerCatalog(workersDir);
  if (workers.length === 0)
    throw new LoomError(
      "config_invalid",
      `no worker configs in ${workersDir}; create one with: loom new worker`,
    );
  const pipelinesDir = path.join(flags.configs, "orchestrators");
  const taken = existsSync(pipelinesDir) ? await workerNamesIn(pipelinesDir) : [];
  const name = await ask.text(
    "--name",
    flags.name,
    { message: "Pipeline name (lowercase letters, digits, underscores)", placeholder: "analysis_pipeline" },
    (value) => {
      checkOverwrite(flags.out ?? defaultConfigFile(flags.configs, "pipeline", value), flags.force);
      return checkName("pipeline", value, flags.force ? [] : taken);
    },
  );
  const file = flags.out ?? defaultConfigFile(flags.configs, "pipeline", name);
  const description = await ask.text(
    "--description",
    flags.description,
    { message: "Description (one sentence; optional)", optional: true },
    (value) => value.trim() || undefined,
  );
  const timeoutSeconds = await ask.text(
    "--timeout",
    flags.timeout,
    { message: "Timeout for the whole goal (seconds)", defaultValue: "300" },
    positiveNumber,
  );
  const list = workers.map((w) => `${w.name}${w.description ? ` — ${w.description}` : ""}`).join("\n");
  if (interactive) p.note(list, `Workers in ${workersDir}`);
  const stages =
    flags.stage.length > 0 || !interactive ? stagesFromFlags(flags, workers) : await askStages(workers);
  const answers: PipelineAnswers = { name, description, timeoutSeconds, stages };
  const text = pipelineYaml(answers, { file, workers });
  const warnings = await writeConfig(file, text, { kind: "pipeline", force: flags.force, workersDir });
  const contextKeys = [
    ...new Set(
      stages.flatMap((s) =>
        Object.values(s.inputMapping).flatMap((source) =>
          source.startsWith("goal.context.") ? [source.slice("goal.context.".length).split(/[.[]/)[0]] : [],
        ),
      ),
    ),
  ];
  const next = [
    `wrote ${file}${warnings.length > 0 ? ` (${warnings.length} warning${warnings.length === 1 ? "" : "s"})` : ""}`,
    ...warnings.map((w) => `  warning: ${w.path}  ${w.message}`),
    "next:",
    `  loom validate --explain ${file}`,
    `  loom run pipeline --config ${file} --workers ${workersDir}${contextKeys.map((k) => ` --context ${k}=...`).join("")}`,
  ];
  if (interactive) p.outro(next.join("\n"));
  else process.stdout.write(`${next.join("\n")}\n`);
}

/** Stages from `--stage` and `--map`; required inputs left unmapped read `goal.context.<field>`. */
export function stagesFromFlags(
  flags: Pick<NewPipelineFlags, "stage" | "map">,
  workers: readonly CatalogWorker[],
): StageAnswers[] {
  if (flags.stage.length === 0)
    throw new UsageError(
      "missing --stage (name=worker_type[@tier]; repeat in order) (required with --non-interactive or when stdin is not a terminal)",
    );
  const stages = flags.stage.map(parseStageSpec);
  for (const spec of flags.map) {
    const { stage, field, source } = parseMapSpec(spec);
    const target = stages.find((s) => s.name === stage);
    if (!target)
      throw new LoomError(
        "config_invalid",
        `--map '${spec}': unknown stage '${stage}' (stages: ${stages.map((s) => s.name).join(", ")})`,
      );
    target.inputMapping[field] = source;
  }
  for (const stage of stages) fillDefaultMappings(stage, workers);
  return stages;
}

async function askStages(workers: readonly CatalogWorker[]): Promise<StageAnswers[]> {
  const stages: StageAnswers[] = [];
  for (;;) {
    const name = unwrap(
      await p.text({
        message: `Stage ${stages.length + 1} name${stages.length > 0 ? " (empty to finish)" : ""}`,
        placeholder: stages.length === 0 ? "extract" : undefined,
        defaultValue: "",
        validate: (value) => {
          if (!value) return stages.length > 0 ? undefined : "a pipeline needs at least one stage";
          try {
            checkName(
              "stage",
              value,
              stages.map((s) => s.name),
            );
            return undefined;
          } catch (error) {
            return (error as Error).message;
          }
        },
      }),
    );
    if (!name) return stages;
    const workerType = unwrap(
      await p.select<string>({
        message: `Worker of stage '${name}'`,
        options: workers.map((w) => ({ value: w.name, label: w.name, hint: w.description })),
      }),
    );
    const tier = unwrap(
      await p.select<ModelTier | "">({
        message: "Tier",
        options: [
          { value: "", label: "the worker's default" },
          ...MODEL_TIERS.map((t) => ({ value: t, label: t })),
        ],
      }),
    );
    const stage: StageAnswers = { name, workerType, tier: tier || undefined, inputMapping: {} };
    const worker = workers.find((w) => w.name === workerType);
    for (const input of worker?.inputs ?? []) {
      const choices = mappingChoices(input.name, stages, workers);
      const source = unwrap(
        await p.select<string>({
          message: `${name}.${input.name}${input.required ? "" : " (optional)"} reads from`,
          options: [
            ...choices.map((value) => ({ value, label: value })),
            ...(input.required ? [] : [{ value: "", label: "leave unmapped" }]),
          ],
        }),
      );
      if (source) stage.inputMapping[input.name] = source;
    }
    stages.push(stage);
  }
}
