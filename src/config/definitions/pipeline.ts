/** The pipeline config definition (Part 3). */
import { z } from "zod";
import { nonEmptyString, positiveInt, positiveNumber, tierField } from "./common.js";

const stage = z
  .strictObject({
    name: nonEmptyString("Stage name, unique in the pipeline; later stages read `<name>.output.*`."),
    worker_type: nonEmptyString("Name of the worker config that runs this stage."),
    tier: tierField
      .optional()
      .meta({ description: "Model tier for this stage: local, standard or frontier." }),
    input_mapping: z
      .record(
        z.string(),
        z.string({ error: "must be a path string" }).min(1, { error: "must not be empty" }),
        {
          error: "must be a mapping of input field to path",
        },
      )
      .default({})
      .meta({
        description: "Worker input field → path (`goal.context.x`, `extract.output.y`). Drives parallelism.",
      }),
    depends_on: z
      .array(nonEmptyString("Stage name."))
      .optional()
      .meta({ description: "Explicit dependencies; replace the ones inferred from input_mapping." }),
    condition: nonEmptyString(
      'Run only when true: `path == value` or `path != value` (true, false, null or a "string").',
    ).optional(),
    timeout_seconds: positiveNumber("Stage timeout in seconds.").optional(),
  })
  .meta({ description: "One pipeline stage." });

/** Definition of a pipeline YAML file. */
export const pipelineDefinition = z
  .strictObject({
    name: nonEmptyString("Pipeline name."),
    description: z.string().optional().meta({ description: "Human-readable description." }),
    timeout_seconds: positiveNumber("Whole-goal timeout in seconds.").default(300),
    max_concurrent_goals: positiveInt("Goals processed at once (>= 1).").default(1),
    pipeline_stages: z
      .array(stage, { error: "must be a list of stages" })
      .min(1, { error: "must list at least one stage" })
      .meta({ description: "The stages; parallelism is inferred from input_mapping paths." }),
  })
  .meta({ title: "Loom pipeline config", description: "A Loom pipeline: stages chained by input mappings." });

/** A pipeline config as validated, snake_case, defaults applied. */
export type PipelineData = z.output<typeof pipelineDefinition>;
