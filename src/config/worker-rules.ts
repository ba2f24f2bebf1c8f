/**
 * The worker rules Zod cannot express alone: kind-specific required fields, JSON Schemas compiled
 * with ajv, schema refs resolved, file refs, knowledge files and silos (Parts 1, 2, 5, 6, 8, 9).
 */
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { errorMessage } from "../errors.js";
import { asRecord, type IssueCollector } from "./issue-collector.js";
import { checkJsonSchemaAt, findSchemaProblems } from "./json-schema-check.js";
import { FAILS_WHEN_RUN, probeClassRef, probeRef } from "./module-probe.js";
import { resolveConfigPath } from "./paths.js";
import { schemaFromExport } from "./schema-refs.js";
import type { JsonSchema } from "./types.js";
import type { DataPath } from "./yaml-source.js";

export interface WorkerRuleOptions {
  /**
   * `loom validate`: import backends, tool providers and schema refs to check them, and report a
   * ref that cannot be imported as a warning (its code may not exist yet). Loaders pass false:
   * schema refs must then resolve (an error otherwise) and backends are imported when they run.
   */
  probeImports: boolean;
}

/** Schemas resolved from `input_schema_ref` / `output_schema_ref`. */
export interface ResolvedSchemas {
  input?: JsonSchema;
  output?: JsonSchema;
}

type Raw = Record<string, unknown>;

/** Checks a worker config's raw data; returns the schemas its refs resolve to. */
export async function checkWorkerRules(
  data: Raw,
  issues: IssueCollector,
  options: WorkerRuleOptions,
): Promise<ResolvedSchemas> {
  const file = issues.source.file;
  const kind = data.worker_kind ?? "llm";
  if (kind === "llm") {
    if (typeof data.system_prompt !== "string" || data.system_prompt.trim() === "") {
      const message =
        data.processing_backend === undefined
          ? "LLM workers need a system_prompt (or set worker_kind: processor with a processing_backend)"
          : "LLM workers need a system_prompt; this worker has a processing_backend — did you mean worker_kind: processor?";
      issues.error(["system_prompt"], message);
    }
  } else if (kind === "processor") {
    if (data.processing_backend === undefined) {
      issues.error(
        ["processing_backend"],
        'processor workers need a processing_backend ("<module>#<ExportName>")',
      );
    }
    if (data.system_prompt !== undefined)
      issues.warning(["system_prompt"], "processor workers ignore system_prompt", { key: true });
  }
  if (kind === "llm" && data.processing_backend !== undefined) {
    issues.warning(
      ["processing_backend"],
      "LLM workers ignore processing_backend (set worker_kind: processor to use it)",
      { key: true },
    );
  }
  if (options.probeImports && kind === "processor" && typeof data.processing_backend === "string") {
    const warning = await probeClassRef(data.processing_backend, file);
    if (warning) issues.warning(["processing_backend"], warning);
  }

  const resolved: ResolvedSchemas = {};
  for (const side of ["input", "output"] as const) {
    const inline = data[`${side}_schema`];
    const ref = data[`${side}_schema_ref`];
    if (inline === undefined && ref === undefined) {
      issues.warning(
        [],
        `no ${side}_schema or ${side}_schema_ref: any JSON object is accepted as ${side}; add one to enforce the contract`,
      );
    }
    if (inline !== undefined && ref !== undefined) {
      issues.warning([`${side}_schema`], `both ${side}_schema and ${side}_schema_ref are set; the ref wins`, {
        key: true,
      });
    }
    if (asRecord(inline)) checkJsonSchemaAt(inline, [`${side}_schema`], issues);
    if (typeof ref === "string") {
      const schema = await checkSchemaRef(ref, [`${side}_schema_ref`], issues, options);
      if (schema) resolved[side] = schema;
    }
  }

  const refs = data.resolve_file_refs;
  if (Array.isArray(refs) && refs.length > 0 && data.workspace_dir === undefined) {
    issues.error(
      ["resolve_file_refs"],
      "resolve_file_refs needs workspace_dir (the folder the file refs are read from)",
    );
  }
  checkKnowledgeSources(data.knowledge_sources, file, issues);
  await checkSilos(data.knowledge_silos, file, issues, options);
  return resolved;
}

/** Resolves a schema ref and checks the JSON Schema it gives; undefined when it cannot be used. */
async function checkSchemaRef(
  ref: string,
  at: DataPath,
  issues: IssueCollector,
  options: WorkerRuleOptions,
): Promise<JsonSchema | undefined> {
  const probed = await probeRef(ref, issues.source.file);
  if (!probed.ok) {
    if (options.probeImports) issues.warning(at, `${probed.problem}${FAILS_WHEN_RUN}`);
    else issues.error(at, probed.problem);
    return undefined;
  }
  try {
    const schema = schemaFromExport(ref, probed.value);
    const problems = findSchemaProblems(schema);
    if (problems.length === 0) return schema;
    issues.error(at, `'${ref}' is not a valid JSON Schema: ${problems.map((p) => p.message).join("; ")}`);
  } catch (error) {
    issues.error(at, errorMessage(error));
  }
  return undefined;
}

function checkKnowledgeSources(sources: unknown, file: string, issues: IssueCollector): void {
  if (!Array.isArray(sources)) return;
  sources.forEach((entry, index) => {
    const source = asRecord(entry);
    if (!source || typeof source.path !== "string" || source.path === "") return;
    const resolved = resolveConfigPath(file, source.path);
    if (!existsSync(resolved)) {
      issues.warning(["knowledge_sources", index, "path"], `knowledge file not found: ${resolved}`);
    } else if (source.inject_as === "few_shot" && !/\.(ya?ml|jsonl?)$/i.test(source.path)) {
      issues.warning(
        ["knowledge_sources", index, "inject_as"],
        "few_shot expects a YAML or JSONL file of {input, output} examples",
      );
    }
  });
}

async function checkSilos(silos: unknown, file: string, issues: IssueCollector, options: WorkerRuleOptions) {
  if (!Array.isArray(silos)) return;
  const seen = new Map<string, number>();
  for (const [index, entry] of silos.entries()) {
    const silo = asRecord(entry);
    if (!silo) continue;
    if (typeof silo.name === "string") {
      const first = seen.get(silo.name);
      if (first !== undefined) {
        issues.error(
          ["knowledge_silos", index, "name"],
          `duplicate silo name '${silo.name}' (also knowledge_silos[${first}])`,
        );
      } else seen.set(silo.name, index);
    }
    if (silo.type === "folder" && typeof silo.path === "string" && silo.path !== "") {
      const resolved = resolveConfigPath(file, silo.path);
      if (!existsSync(resolved)) {
        issues.warning(["knowledge_silos", index, "path"], `silo folder not found: ${resolved}`);
      } else if (!statSync(resolved).isDirectory()) {
        issues.error(
          ["knowledge_silos", index, "path"],
          `silo path is not a folder: ${path.normalize(resolved)}`,
        );
      }
    }
    if (silo.type === "tool" && options.probeImports && typeof silo.provider === "string") {
      const warning = await probeClassRef(silo.provider, file);
      if (warning) issues.warning(["knowledge_silos", index, "provider"], warning);
    }
  }
}
