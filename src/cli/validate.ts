/**
 * `loom validate FILE... | DIR | --all [--kind K] [--strict] [--json] [--explain] [--workers DIR]`:
 * checks config files without starting anything. Exit 0 when clean, 1 on errors (or warnings with
 * --strict), 2 when the targets themselves are wrong.
 */
import { type Command, Option } from "commander";
import { ConfigKind } from "../config/types.js";
import { reportError } from "./report.js";

interface ValidateFlags {
  all?: boolean;
  kind?: ConfigKind;
  strict?: boolean;
  json?: boolean;
  explain?: boolean;
  workers?: string;
}

/** Registers `loom validate`. */
export function registerValidate(program: Command): void {
  program
    .command("validate")
    .description(
      "Check worker, pipeline, MCP gateway and router-rules configs (no infrastructure, no network).",
    )
    .argument("[targets...]", "config files or folders")
    .option("--all", "every config under the nearest configs/ folder")
    .addOption(new Option("--kind <kind>", "treat the files as this kind").choices(Object.values(ConfigKind)))
    .option("--strict", "fail on warnings too")
    .option("--json", "print machine-readable results")
    .option("--explain", "print the inferred levels of each pipeline")
    .option("--workers <dir>", "folder of worker configs that pipeline worker_types must exist in")
    .action(async (targets: string[], flags: ValidateFlags) => {
      // Loaded here, not at start-up, so other commands do not pay for validation's modules.
      const { configFilesIn, expandTargets, findConfigsDir } = await import("../config/validate-targets.js");
      const { exitCodeFor, formatReportJson, formatReportText, validateFiles } = await import(
        "../config/validate-report.js"
      );
      let files: string[];
      try {
        if (flags.all)
          files = [...(await configFilesIn(findConfigsDir())), ...(await expandTargets(targets))];
        else if (targets.length > 0) files = await expandTargets(targets);
        else throw new Error("give config files or folders to validate, or --all");
        if (files.length === 0)
          throw new Error(`no YAML config files found in ${targets.join(", ") || "configs/"}`);
      } catch (error) {
        reportError("validate", error);
        process.exitCode = 2;
        return;
      }
      const reports = await validateFiles(files, {
        kind: flags.kind,
        workersDir: flags.workers,
        explain: flags.explain,
      });
      const strict = flags.strict ?? false;
      process.stdout.write(flags.json ? formatReportJson(reports, strict) : formatReportText(reports));
      process.exitCode = exitCodeFor(reports, strict);
    });
}
