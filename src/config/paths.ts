import { existsSync } from "node:fs";
import path from "node:path";

/**
 * Resolves a path written inside a config file, independent of the current directory (Claude
 * Desktop starts `loom mcp` from anywhere). Absolute paths are kept. A relative path is tried
 * against the config file's folder, then each ancestor folder — so the guide's
 * `configs/knowledge/legal_terms.md`, written in `configs/workers/legal_summarizer.yaml`, is found
 * at the project root. When it exists nowhere, the path beside the config file is returned, so
 * error messages name a sensible place.
 */
export function resolveConfigPath(configFile: string, ref: string): string {
  return locateConfigPath(configFile, ref).path;
}

/** {@link resolveConfigPath}, and whether the path it returns exists (looked up once). */
export function locateConfigPath(configFile: string, ref: string): { path: string; exists: boolean } {
  if (path.isAbsolute(ref)) return { path: ref, exists: existsSync(ref) };
  const first = path.resolve(path.dirname(configFile), ref);
  let dir = path.dirname(path.resolve(configFile));
  for (;;) {
    const candidate = path.resolve(dir, ref);
    if (existsSync(candidate)) return { path: candidate, exists: true };
    const parent = path.dirname(dir);
    if (parent === dir) return { path: first, exists: false };
    dir = parent;
  }
}
