/** Small writers of YAML text, so scaffolded files keep their comments and the guide's layout. */
import type { FieldSpec } from "./fields.js";

/** A double-quoted YAML scalar (JSON strings are valid YAML). */
export function quote(value: string): string {
  return JSON.stringify(value);
}

/** The commented `description:` of a worker or pipeline, after a blank line; none without one. */
export function descriptionLines(description: string | undefined): string[] {
  if (!description) return [];
  return [
    "",
    "# description — human-readable; the MCP tool description when exposed.",
    `description: ${quote(description)}`,
  ];
}

/** A literal block scalar (`|`) of multi-line text, indented by `indent` spaces. */
export function literalBlock(text: string, indent: number): string {
  const lines = text.replace(/\r\n?/g, "\n").replace(/\s+$/, "").split("\n");
  const pad = " ".repeat(indent);
  // A first line starting with a space needs an explicit indentation indicator.
  const header = lines[0]?.startsWith(" ") ? `|${indent}` : "|";
  return [header, ...lines.map((line) => (line.trim() === "" ? "" : `${pad}${line}`))].join("\n");
}

/** An `input_schema:` / `output_schema:` block of an object with these fields. */
export function objectSchemaYaml(key: string, fields: readonly FieldSpec[]): string {
  const required = fields.filter((f) => f.required).map((f) => f.name);
  const lines = [`${key}:`, "  type: object"];
  if (required.length > 0) lines.push(`  required: [${required.join(", ")}]`);
  lines.push("  properties:");
  for (const field of fields) lines.push(`    ${field.name}:`, `      type: ${field.type}`);
  return lines.join("\n");
}
