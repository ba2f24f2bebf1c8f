/**
 * One definition per config kind. The validator (`validate-file.ts`) and the shipped
 * `schemas/<kind>.schema.json` files are both derived from these.
 */
import { z } from "zod";
import type { ConfigKind } from "../types.js";
import { mcpDefinition } from "./mcp.js";
import { pipelineDefinition } from "./pipeline.js";
import { routerRulesDefinition } from "./router-rules.js";
import { workerDefinition } from "./worker.js";

export { type McpData, mcpDefinition, QUERY_ACTIONS } from "./mcp.js";
export { type PipelineData, pipelineDefinition } from "./pipeline.js";
export { type RouterRulesData, routerRulesDefinition } from "./router-rules.js";
export { type WorkerData, workerDefinition } from "./worker.js";

/** The definition of each config kind. */
export const CONFIG_DEFINITIONS = {
  worker: workerDefinition,
  pipeline: pipelineDefinition,
  mcp: mcpDefinition,
  router_rules: routerRulesDefinition,
} as const satisfies Record<ConfigKind, z.ZodType>;

/** File name of the shipped JSON Schema of a kind, e.g. `worker.schema.json`. */
export function schemaFileName(kind: ConfigKind): string {
  return `${kind}.schema.json`;
}

/** The JSON Schema (draft 2020-12) of a config kind, as shipped in `schemas/`. */
export function configJsonSchema(kind: ConfigKind): Record<string, unknown> {
  return z.toJSONSchema(CONFIG_DEFINITIONS[kind], { io: "input", target: "draft-2020-12" });
}
