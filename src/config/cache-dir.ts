/**
 * Loom's folder for what can be rebuilt (sample data, cached schemas and parses, side indexes):
 * `$XDG_CACHE_HOME/loom`, else `~/.cache/loom`.
 */
import { mkdir, rename, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export function loomCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(env.XDG_CACHE_HOME || path.join(os.homedir(), ".cache"), "loom");
}

/**
 * Writes a cache file whole or not at all (a temporary file renamed over it), creating its folder.
 * Best effort: a cache that cannot be written only costs the next start its time, so this never
 * throws.
 */
export async function writeCacheFile(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(temp, text, { mode: 0o600 });
    await rename(temp, file);
  } catch {
    // best effort (see above)
  }
}
