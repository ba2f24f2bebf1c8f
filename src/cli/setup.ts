/**
 * `loom setup [--non-interactive] [--settings PATH] [...]`: detects Ollama, OpenAI-compatible
 * servers and API keys, asks (on a terminal) which backend and model serve each tier, tests them
 * and writes the user settings file. Without a terminal it never asks: it behaves as
 * `--non-interactive`. Exit 0 when the file is written (even when no LLM was found), 1 on
 * cancel or error.
 */
import { type Command, Option } from "commander";
import { errorMessage } from "../errors.js";
import { BACKEND_KINDS, type BackendKind } from "../llm/backend.js";
import type { SetupChoiceFlags } from "../setup/choose.js";

interface SetupFlags extends SetupChoiceFlags {
  nonInteractive?: boolean;
  settings?: string;
  skipTest?: boolean;
  saveKeys?: boolean;
}

/** Registers `loom setup`. */
export function registerSetup(program: Command): void {
  const backend = (flag: string, what: string) =>
    new Option(`${flag} <backend>`, what).choices(BACKEND_KINDS as BackendKind[]);
  program
    .command("setup")
    .description("Detect local and hosted LLMs and write the user settings file (tiers, models, keys)")
    .option("--non-interactive", "ask nothing: use what is detected plus these flags")
    .option("--settings <path>", "settings file to write (default: ~/.config/loom/settings.yaml)")
    .addOption(backend("--local-backend", "backend of the local tier"))
    .option("--local-model <model>", "model of the local tier")
    .addOption(backend("--standard-backend", "backend of the standard tier"))
    .option("--standard-model <model>", "model of the standard tier")
    .addOption(backend("--frontier-backend", "backend of the frontier tier"))
    .option("--frontier-model <model>", "model of the frontier tier")
    .option("--embedding-model <model>", "Ollama embedding model (e.g. nomic-embed-text)")
    .option("--ollama-host <url>", "Ollama to use (default: $OLLAMA_HOST or http://localhost:11434)")
    .option("--openai-base-url <url>", "OpenAI-compatible server to use (LM Studio, vLLM, llama.cpp)")
    .option("--skip-test", "do not send a test request to each tier")
    .option("--save-keys", "store ANTHROPIC_API_KEY / OPENAI_API_KEY from the environment in the file (0600)")
    .action(async (flags: SetupFlags) => {
      try {
        const { userSettingsPath } = await import("../llm/settings.js");
        const file = flags.settings ?? userSettingsPath();
        const interactive =
          !flags.nonInteractive && process.stdin.isTTY === true && process.stdout.isTTY === true;
        if (interactive) {
          const { runWizard } = await import("../setup/wizard.js");
          process.exitCode = await runWizard({ ...flags, file });
        } else {
          const { runSetup } = await import("../setup/run-setup.js");
          await runSetup({ ...flags, file });
        }
      } catch (error) {
        process.stderr.write(`loom setup: ${errorMessage(error)}\n`);
        process.exitCode = 1;
      }
    });
}
