/**
 * `loom setup` without questions: detect, choose defaults (flags win), check each tier with a
 * one-line request, write the settings file. Also the tail of the interactive wizard, which hands
 * in the plan the user chose.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { applyEnv, type LoomSettings, parseSettings } from "../llm/settings.js";
import { checkTiers, type TierCheck } from "./check-tiers.js";
import { choosePlan, type SetupChoiceFlags, type SetupPlan } from "./choose.js";
import { type Detection, detect } from "./detect.js";
import { describeChecks, describeDetection, describePlan, nextSteps } from "./report.js";
import { readSettingsText, renderSettings, writeSettingsFile } from "./settings-file.js";

export interface RunSetupOptions extends SetupChoiceFlags {
  /** The settings file to write. */
  file: string;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Do not send the test request. @default false */
  skipTest?: boolean;
  /** Store ANTHROPIC_API_KEY / OPENAI_API_KEY from the environment in the file (mode 0600). @default false */
  saveKeys?: boolean;
  /** Where a project `loom.yaml` would shadow the file. @default process.cwd() */
  cwd?: string;
  /** Prints one line. @default a line to stdout */
  print?: (line: string) => void;
  /** Per detection probe. @default 1500 */
  probeTimeoutMs?: number;
}

/** What setup did. */
export interface SetupOutcome {
  found: Detection;
  plan: SetupPlan;
  checks: TierCheck[];
  /** The settings as `loadSettings` will read them (file + environment). */
  settings: LoomSettings;
}

/**
 * Runs the non-interactive setup and writes `options.file`. Finding no LLM is not an error: the
 * file then says how to fix it.
 *
 * @example await runSetup({ file: userSettingsPath(), skipTest: true });
 */
export async function runSetup(options: RunSetupOptions): Promise<SetupOutcome> {
  const env = options.env ?? process.env;
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const found = await detect({
    env,
    ollamaHost: options.ollamaHost,
    openaiBaseUrl: options.openaiBaseUrl,
    timeoutMs: options.probeTimeoutMs,
  });
  print("Found:");
  for (const line of describeDetection(found)) print(`  ${line}`);
  const plan = choosePlan(found, options);
  if (options.saveKeys) {
    plan.keys = {
      ...(env.ANTHROPIC_API_KEY ? { anthropic: env.ANTHROPIC_API_KEY } : {}),
      ...(env.OPENAI_API_KEY ? { openai: env.OPENAI_API_KEY } : {}),
    };
  }
  return finishSetup(found, plan, { ...options, env, print });
}

/** Checks the plan's tiers, writes the file and prints the next steps (shared with the wizard). */
export async function finishSetup(
  found: Detection,
  plan: SetupPlan,
  options: RunSetupOptions & { env: NodeJS.ProcessEnv; print: (line: string) => void },
): Promise<SetupOutcome> {
  const { print, file, env } = options;
  const text = renderSettings(plan, await readSettingsText(file), file);
  // What `loadSettings` will see: the new file, then the environment's overrides.
  const settings = applyEnv(parseSettings(text, file), env);
  print("Tiers:");
  for (const line of describePlan(plan)) print(`  ${line}`);
  const pullHint = missingOllamaModels(found, plan);
  for (const model of pullHint) print(`  Ollama does not have ${model} yet: ollama pull ${model}`);
  let checks: TierCheck[] = [];
  if (plan.nothingFound) {
    print(
      "No LLM found: ollama serve && ollama pull llama3.2:3b, or set ANTHROPIC_API_KEY; then run loom setup again.",
    );
  } else if (!options.skipTest) {
    print("Testing each tier with a one-line request:");
    checks = await checkTiers(settings);
    for (const line of describeChecks(checks)) print(`  ${line}`);
  }
  await writeSettingsFile(file, text);
  print(`Wrote ${file}${plan.keys.anthropic || plan.keys.openai ? " (mode 0600: it holds an API key)" : ""}`);
  const project = path.join(options.cwd ?? process.cwd(), "loom.yaml");
  if (existsSync(project) && path.resolve(project) !== path.resolve(file)) {
    print(`Note: ${project} exists and is read before ${file} in this folder.`);
  }
  print("Next:");
  for (const line of nextSteps()) print(`  ${line}`);
  return { found, plan, checks, settings };
}

/** Models the plan puts on Ollama that Ollama (when it answered) does not have. */
export function missingOllamaModels(found: Detection, plan: SetupPlan): string[] {
  if (!found.ollama.reachable) return [];
  const have = new Set(found.ollama.models);
  const wanted = new Set(
    Object.values(plan.tiers)
      .filter((c) => c.backend === "ollama")
      .map((c) => c.model),
  );
  if (plan.embeddingModel) wanted.add(plan.embeddingModel);
  return [...wanted].filter((m) => !have.has(m) && !have.has(`${m}:latest`));
}
