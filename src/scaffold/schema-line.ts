/**
 * The `# yaml-language-server: $schema=...` line that starts every config, pointing at the
 * package's shipped `schemas/` folder relative to the written file (`../../schemas/...` for
 * `configs/workers/x.yaml` in this repository).
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import { schemaFileName } from "../config/definitions/index.js";
import type { ConfigKind } from "../config/types.js";

/** The package's `schemas/` folder: two levels up from this module (`src/scaffold` or `dist/scaffold`). */
export const PACKAGE_SCHEMAS_DIR = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  "../../schemas",
);

/**
 * The schema comment line for a config written to `file`.
 *
 * @example schemaLine("configs/workers/x.yaml", "worker") // "# yaml-language-server: $schema=../../schemas/worker.schema.json"
 */
export function schemaLine(file: string, kind: ConfigKind, schemasDir = PACKAGE_SCHEMAS_DIR): string {
  const target = path.join(schemasDir, schemaFileName(kind));
  const relative = path
    .relative(path.dirname(path.resolve(file)), target)
    .split(path.sep)
    .join("/");
  return `# yaml-language-server: $schema=${relative}`;
}
