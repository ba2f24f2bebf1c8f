/** The worker config definition (the guide's worker-config table, Parts 1, 2, 5, 6, 8, 9). */
import { z } from "zod";
import {
  jsonSchemaField,
  moduleRefField,
  nonEmptyString,
  optionsField,
  positiveInt,
  positiveNumber,
  tierField,
} from "./common.js";

const knowledgeSource = z
  .strictObject({
    path: nonEmptyString("File to inject (Markdown, YAML or text), relative to the config or project root."),
    inject_as: z
      .enum(["reference", "few_shot"], { error: "must be reference or few_shot" })
      .default("reference")
      .meta({ description: "reference: prepend with a header; few_shot: format as numbered examples." }),
  })
  .meta({ description: "A knowledge file injected into the system prompt (Part 5)." });

const folderSilo = z
  .strictObject({
    name: nonEmptyString("Silo name; silo_updates entries name it."),
    type: z.literal("folder"),
    path: nonEmptyString("Folder whose files are loaded (honours .siloignore)."),
    mode: z
      .enum(["read", "readwrite"], { error: "must be read or readwrite" })
      .default("read")
      .meta({ description: "readwrite lets the LLM add, modify or delete files via silo_updates." }),
  })
  .meta({ description: "Folder-based knowledge silo (Part 8)." });

const toolSilo = z
  .strictObject({
    name: nonEmptyString("Silo name."),
    type: z.literal("tool"),
    provider: moduleRefField('ToolProvider class: "<module>#<Export>" or a built-in dotted name.'),
    config: optionsField("Options passed to the tool class constructor."),
  })
  .meta({ description: "A tool the LLM can call (Part 9)." });

/** Definition of a worker YAML file. */
export const workerDefinition = z
  .strictObject({
    name: nonEmptyString("Worker type identifier (matches worker_type in tasks and pipelines)."),
    description: z.string().optional().meta({ description: "Human-readable description." }),
    worker_kind: z
      .enum(["llm", "processor"], { error: "must be llm or processor" })
      .default("llm")
      .meta({ description: "llm (calls a language model) or processor (runs a ProcessingBackend)." }),
    system_prompt: z
      .string()
      .optional()
      .meta({ description: "The system prompt (required for LLM workers)." }),
    processing_backend: moduleRefField(
      'ProcessingBackend class (required for processor workers): "<module>#<Export>" or a dotted name.',
    ).optional(),
    backend_config: optionsField("Options passed to the backend constructor."),
    input_schema: jsonSchemaField("JSON Schema the task payload must match.").optional(),
    output_schema: jsonSchemaField("JSON Schema the worker output must match.").optional(),
    input_schema_ref: moduleRefField(
      '"<module>#<Export>" of a Zod schema or JSON Schema object (alternative to input_schema).',
    ).optional(),
    output_schema_ref: moduleRefField(
      '"<module>#<Export>" of a Zod schema or JSON Schema object (alternative to output_schema).',
    ).optional(),
    default_model_tier: tierField.default("standard").meta({ description: "local, standard or frontier." }),
    max_input_tokens: positiveInt("Max input token budget.").default(4000),
    max_output_tokens: positiveInt("Max output token budget.").default(2000),
    knowledge_sources: z
      .array(knowledgeSource)
      .default([])
      .meta({ description: "Files injected as context." }),
    knowledge_silos: z
      .array(z.discriminatedUnion("type", [folderSilo, toolSilo], { error: "type must be folder or tool" }))
      .default([])
      .meta({ description: "Folder silos (Part 8) and tools (Part 9)." }),
    workspace_dir: nonEmptyString("Workspace directory for file-ref resolution.").optional(),
    resolve_file_refs: z
      .array(nonEmptyString("Payload field holding a workspace file name."))
      .default([])
      .meta({ description: "Payload fields resolved as workspace file refs (needs workspace_dir)." }),
    reset_after_task: z
      .literal(true, { error: "must be true (workers are stateless)" })
      .default(true)
      .meta({ description: "Always true: workers are stateless." }),
    timeout_seconds: positiveNumber("Per-task timeout in seconds.").default(60),
  })
  .meta({ title: "Loom worker config", description: "A Loom worker: one LLM call or processor backend." });

/** A worker config as validated, snake_case, defaults applied. */
export type WorkerData = z.output<typeof workerDefinition>;
