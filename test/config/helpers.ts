/** Helpers for the config tests: write YAML to a temp folder, validate it, find issues. */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ConfigIssue, type ValidateConfigOptions, validateConfigFile } from "../../src/config/index.js";

export const ROOT = path.resolve(import.meta.dirname, "../..");
export const FIXTURES = path.join(import.meta.dirname, "fixtures");

/** A temp folder; `write` puts a file in it (creating folders), `cleanup` removes it. */
export async function tempDir() {
  const dir = await mkdtemp(path.join(tmpdir(), "loom-config-"));
  return {
    dir,
    async write(name: string, text: string): Promise<string> {
      const file = path.join(dir, name);
      await mkdir(path.dirname(file), { recursive: true });
      await writeFile(file, text);
      return file;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Validates YAML text written to `name` in a fresh temp folder. */
export async function validateText(
  text: string,
  options: ValidateConfigOptions & { name?: string } = {},
): Promise<{ file: string; issues: ConfigIssue[] }> {
  const tmp = await tempDir();
  try {
    const file = await tmp.write(options.name ?? "config.yaml", text);
    const { issues } = await validateConfigFile(file, options);
    return { file, issues };
  } finally {
    await tmp.cleanup();
  }
}

/** The errors among `issues`. */
export const errorsOf = (issues: readonly ConfigIssue[]) => issues.filter((i) => i.severity === "error");

/** The one issue at `path`; fails the test with the full list when there is not exactly one. */
export function issueAt(issues: readonly ConfigIssue[], path: string): ConfigIssue {
  const found = issues.filter((i) => i.path === path);
  if (found.length !== 1) {
    throw new Error(
      `expected one issue at '${path}', got ${found.length}:\n${issues.map((i) => `${i.line}:${i.column} ${i.path} ${i.message}`).join("\n")}`,
    );
  }
  return found[0] as ConfigIssue;
}
