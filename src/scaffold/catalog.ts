/**
 * The workers `loom new pipeline` offers: each worker of a folder with its input and output fields,
 * read from the inline `input_schema` / `output_schema` (undefined when the worker uses a `_ref`).
 */
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { parse } from "yaml";
import { isYamlFile } from "../config/workers-dir.js";
import { fieldsOfSchema } from "./fields.js";

/** A worker as the pipeline scaffolder sees it. */
export interface CatalogWorker {
  name: string;
  /** The file that defines it. */
  file: string;
  description?: string;
  /** Input fields, or undefined when not known (a schema ref). */
  inputs?: { name: string; required: boolean }[];
  /** Output fields, or undefined when not known (a schema ref). */
  outputs?: { name: string; required: boolean }[];
}

/** The workers of a folder (`_`-prefixed files skipped, unparsable files ignored), sorted by name. */
export async function readWorkerCatalog(dir: string): Promise<CatalogWorker[]> {
  let entries: string[];
  try {
    entries = await readdir(dir);
  } catch {
    return [];
  }
  const workers: CatalogWorker[] = [];
  for (const entry of entries.sort()) {
    if (!isYamlFile(entry) || entry.startsWith("_")) continue;
    let data: Record<string, unknown> | null;
    try {
      data = parse(await readFile(path.join(dir, entry), "utf8")) as Record<string, unknown> | null;
    } catch {
      continue; // reported when the file itself is validated
    }
    if (typeof data?.name !== "string") continue;
    workers.push({
      name: data.name,
      file: path.join(dir, entry),
      description: typeof data.description === "string" ? data.description : undefined,
      inputs: fieldsOfSchema(data.input_schema),
      outputs: fieldsOfSchema(data.output_schema),
    });
  }
  return workers.sort((a, b) => a.name.localeCompare(b.name));
}
