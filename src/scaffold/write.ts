/**
 * Writing a scaffolded config: where it goes, refusing to overwrite without `force`, and never
 * writing a file that does not validate.
 */
import { existsSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { type ConfigIssue, hasErrors } from "../config/issues.js";
import type { ConfigKind } from "../config/types.js";
import { validateConfigFile } from "../config/validate-file.js";
import { LoomError } from "../errors.js";

/** Options of {@link writeConfig}. */
export interface WriteConfigOptions {
  kind: ConfigKind;
  /** Overwrite an existing file. @default false */
  force?: boolean;
  /** Folder of workers a pipeline's worker types are checked against. */
  workersDir?: string;
}

/**
 * The default file of a new config: `<configs>/workers/<name>.yaml` or `<configs>/orchestrators/<name>.yaml`.
 */
export function defaultConfigFile(configsDir: string, kind: "worker" | "pipeline", name: string): string {
  return path.join(configsDir, kind === "worker" ? "workers" : "orchestrators", `${name}.yaml`);
}

/**
 * Refuses an existing `file` unless `force`: checked as soon as the name is known, so the user
 * hears it before answering everything else.
 *
 * @throws LoomError (`config_invalid`) saying to pass --force.
 */
export function checkOverwrite(file: string, force: boolean | undefined): void {
  if (existsSync(file) && !force)
    throw new LoomError("config_invalid", `${file} exists; pass --force to overwrite it`, {
      details: { file },
    });
}

/**
 * Validates `text` as the content of `file` and writes it. Returns the warnings.
 *
 * @throws LoomError (`config_invalid`) when the file exists and `force` is not set, or when the
 *   text has errors (`details.issues` lists them; nothing is written).
 */
export async function writeConfig(
  file: string,
  text: string,
  options: WriteConfigOptions,
): Promise<ConfigIssue[]> {
  if (existsSync(file) && !options.force)
    throw new LoomError("config_invalid", `${file} exists; pass --force to overwrite it`, {
      details: { file },
    });
  const { issues } = await validateConfigFile(file, {
    text,
    kind: options.kind,
    workersDir: options.workersDir,
  });
  if (hasErrors(issues))
    throw new LoomError(
      "config_invalid",
      `the generated ${options.kind} config does not validate; nothing written`,
      {
        details: { file, issues },
      },
    );
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
  return issues;
}
