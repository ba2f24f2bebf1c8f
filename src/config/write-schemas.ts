/**
 * Writes the shipped JSON Schema files (`schemas/<kind>.schema.json`) from the config definitions,
 * so editors that read the `# yaml-language-server: $schema=...` line of each config complete and
 * check fields. Regenerate after changing a definition:
 *
 *   npx tsx src/config/write-schemas.ts
 *
 * A test fails when the shipped files differ from the definitions.
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { configJsonSchema, schemaFileName } from "./definitions/index.js";
import { ConfigKind } from "./types.js";

/** The text of a kind's schema file, formatted as Biome formats JSON (2 spaces, short arrays inline). */
export function schemaFileText(kind: ConfigKind): string {
  return `${formatJson(configJsonSchema(kind), "")}\n`;
}

/** Writes every kind's schema file into `dir`; returns the paths written. */
export async function writeSchemaFiles(dir: string): Promise<string[]> {
  const written: string[] = [];
  for (const kind of Object.values(ConfigKind)) {
    const file = path.join(dir, schemaFileName(kind));
    await writeFile(file, schemaFileText(kind));
    written.push(file);
  }
  return written;
}

const LINE_WIDTH = 110;

/** JSON with objects always expanded and arrays of scalars kept on one line when they fit. */
function formatJson(value: unknown, indent: string): string {
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const flat = `[${value.map((v) => JSON.stringify(v)).join(", ")}]`;
    const scalars = value.every((v) => v === null || typeof v !== "object");
    if (scalars && indent.length + flat.length < LINE_WIDTH - 20) return flat;
    return `[\n${value.map((v) => `${inner}${formatJson(v, inner)}`).join(",\n")}\n${indent}]`;
  }
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const body = entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${formatJson(v, inner)}`).join(",\n");
    return `{\n${body}\n${indent}}`;
  }
  return JSON.stringify(value);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  for (const file of await writeSchemaFiles(path.join(root, "schemas"))) {
    process.stderr.write(`wrote ${path.relative(process.cwd(), file)}\n`);
  }
}
