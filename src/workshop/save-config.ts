/**
 * Saving a config from the Workshop: validate the new text first, refuse it when it has errors
 * (unless forced) or renames the config, keep the previous content as a version the first time,
 * write atomically, and record the new version.
 */
import { readFile } from "node:fs/promises";
import type { ConfigIssue } from "../config/index.js";
import { type ConfigVersion, type VersionStore, writeAtomic } from "./versions.js";

export interface SaveOutcome {
  saved: boolean;
  message: string;
  issues: ConfigIssue[];
  version?: ConfigVersion;
}

export async function saveConfigText(
  versions: VersionStore,
  entry: { name: string; file: string },
  text: string,
  checked: { name: string; issues: ConfigIssue[] },
  force: boolean,
): Promise<SaveOutcome> {
  const errors = checked.issues.filter((i) => i.severity === "error").length;
  if (checked.name !== entry.name) {
    return {
      saved: false,
      issues: checked.issues,
      message: `Not saved: the name is '${checked.name}' but this is '${entry.name}' — a config keeps its name; copy the file to make a new one.`,
    };
  }
  if (errors > 0 && !force) {
    return {
      saved: false,
      issues: checked.issues,
      message: `Not saved: ${errors} error(s). Fix them, or tick "Save even if invalid".`,
    };
  }
  if ((await versions.list(entry.name)).length === 0)
    await versions.record(entry.name, await readFile(entry.file, "utf8"));
  await writeAtomic(entry.file, text);
  const version = await versions.record(entry.name, text);
  const message =
    errors > 0
      ? `Saved with ${errors} error(s) as version ${version.hash}.`
      : `Saved as version ${version.hash}.`;
  return { saved: true, message, issues: checked.issues, version };
}
