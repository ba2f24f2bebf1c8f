/** The MCP gateway config definition (Part 12). */
import { z } from "zod";
import { moduleRefField, nonEmptyString, optionsField, positiveInt, toolNameField } from "./common.js";

/** Query actions a DuckDBQueryBackend offers. */
export const QUERY_ACTIONS = ["search", "filter", "stats", "get", "vector_search"] as const;

const workerEntry = z.strictObject({
  config: nonEmptyString("Worker YAML file, relative to this config or the project root."),
  name: toolNameField("Tool name override (default: the worker's name).").optional(),
  description: z.string().optional().meta({ description: "Tool description override." }),
});

const pipelineEntry = z.strictObject({
  config: nonEmptyString("Pipeline YAML file, relative to this config or the project root."),
  name: toolNameField("Tool name (required: a pipeline has no natural tool name)."),
  description: z.string().optional().meta({ description: "Tool description." }),
});

const queryEntry = z.strictObject({
  backend: moduleRefField("Query backend class, e.g. loom.contrib.duckdb.query_backend.DuckDBQueryBackend."),
  actions: z
    .array(z.enum(QUERY_ACTIONS, { error: `must be one of ${QUERY_ACTIONS.join(", ")}` }))
    .min(1, { error: "must list at least one action" })
    .meta({ description: "Actions exposed as tools, each named <name_prefix>_<action>." }),
  name_prefix: toolNameField("Tool name prefix: docs → docs_search, docs_filter, ..."),
  description: z.string().optional().meta({ description: "Description prefix for the tools." }),
  backend_config: optionsField("Options passed to the backend constructor."),
});

/** Definition of an MCP gateway YAML file. */
export const mcpDefinition = z
  .strictObject({
    name: nonEmptyString("Server name shown to MCP clients."),
    description: z.string().optional().meta({ description: "Server description." }),
    nats_url: nonEmptyString(
      "NATS URL; when set, tools dispatch over the mesh instead of in-process.",
    ).optional(),
    tools: z
      .strictObject({
        workers: z.array(workerEntry).default([]).meta({ description: "Workers exposed as tools." }),
        pipelines: z.array(pipelineEntry).default([]).meta({ description: "Pipelines exposed as tools." }),
        queries: z
          .array(queryEntry)
          .default([])
          .meta({ description: "Query backend actions exposed as tools." }),
      })
      .default({ workers: [], pipelines: [], queries: [] })
      .meta({ description: "What the server exposes as MCP tools." }),
    workers_dir: nonEmptyString(
      "Folder of the worker configs that pipeline stages name, relative to this config (default: the workers/ folder beside each pipeline's folder).",
    ).optional(),
    router_rules: nonEmptyString(
      "Router rules file (tier_overrides, rate_limits), relative to this config; applied to every worker and pipeline task.",
    ).optional(),
    resources: z
      .strictObject({
        workspace_dir: nonEmptyString("Folder exposed as workspace:/// resources."),
        patterns: z.array(nonEmptyString("Glob")).optional().meta({ description: "Glob filter, e.g. *.pdf" }),
        create: z
          .boolean({ error: "must be true or false" })
          .optional()
          .meta({ description: "Create a missing workspace_dir at start (default false: refuse to start)." }),
        allow_system_dir: z.boolean({ error: "must be true or false" }).optional().meta({
          description: "Serve a system folder (/, /etc, /usr, the home folder itself, ...). Default false.",
        }),
        max_file_bytes: positiveInt(
          "Largest file resources/read serves, in bytes (default 16777216 = 16 MiB).",
        ).optional(),
        max_concurrent_reads: positiveInt(
          "resources/read calls served at once; more wait (default 4).",
        ).optional(),
        max_watched_files: positiveInt(
          "Most folders and matching files watched (default 10000); a larger workspace is refused at start.",
        ).optional(),
      })
      .optional()
      .meta({ description: "Workspace files exposed as MCP resources." }),
  })
  .meta({
    title: "Loom MCP gateway config",
    description: "Exposes workers, pipelines and queries as MCP tools.",
  });

/** An MCP gateway config as validated, snake_case, defaults applied. */
export type McpData = z.output<typeof mcpDefinition>;
