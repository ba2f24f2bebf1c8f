/**
 * Whole-file writes that a reader (or another Workshop process) never sees half done: the text
 * goes to a temp file beside the target, then a rename replaces the target in one step.
 */
import { randomBytes } from "node:crypto";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";

/** The suffix of temp files; listings skip names that end with it. */
export const TEMP_SUFFIX = ".tmp";

/**
 * Writes `text` to `file` atomically, creating missing folders. A rename within one folder is
 * atomic on POSIX and on NTFS, so two writers race to a whole file, never an interleaved one.
 *
 * @example await writeFileAtomic(".loom/evals/entity_extractor/baseline.json", "{}");
 */
export async function writeFileAtomic(file: string, text: string): Promise<void> {
  const dir = path.dirname(file);
  await mkdir(dir, { recursive: true });
  const temp = path.join(dir, `.${path.basename(file)}.${randomBytes(6).toString("hex")}${TEMP_SUFFIX}`);
  try {
    await writeFile(temp, text, "utf8");
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
