/** `loom new worker`: flags and prompts → {@link workerYaml} → a validated file. */
import { spawnSync } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import * as p from "@clack/prompts";
import { readWorkerCatalog } from "./catalog.js";
import { type FieldSpec, parseFieldSpec, parseFieldSpecs } from "./fields.js";
import type { NewWorkerFlags } from "./flags.js";
import { checkName } from "./names.js";
import { Asker, type Asker as AskerType, UsageError } from "./prompt.js";
import { inputSkeleton, MODEL_TIERS, WORKER_KINDS, type WorkerAnswers, workerYaml } from "./worker.js";
import { checkOverwrite, defaultConfigFile, writeConfig } from "./write.js";

/** Runs `loom new worker`; prompts for what the flags did not give when `interactive`. */
export async function newWorker(flags: NewWorkerFlags, interactive: boolean): Promise<void> {
  const ask = new Asker(interactive);
  if (interactive) p.intro("loom new worker");
  const workersDir = path.join(flags.configs, "workers");
  const outFlag = flags.out;
  const existing = await readWorkerCatalog(workersDir);
  const takenFor = (file: string): string[] =>
    existing.filter((w) => !(flags.force && path.resolve(w.file) === path.resolve(file))).map((w) => w.name);
  const name = await ask.text(
    "--name",
    flags.name,
    { message: "Worker name (lowercase letters, digits, underscores)", placeholder: "entity_extractor" },
    (value) => {
      const target = outFlag ?? defaultConfigFile(flags.configs, "worker", value);
      checkOverwrite(target, flags.force);
      return checkName("worker", value, takenFor(target));
    },
  );
  const file = outFlag ?? defaultConfigFile(flags.configs, "worker", name);
  const kind = await ask.select("--kind", flags.kind, {
    message: "Kind",
    choices: WORKER_KINDS,
    initial: "llm",
    labels: { llm: "llm — a language model with a system prompt", processor: "processor — your code" },
  });
  const tier = await ask.select("--tier", flags.tier, {
    message: "Default model tier",
    choices: MODEL_TIERS,
    initial: "standard",
  });
  const description = await ask.text(
    "--description",
    flags.description,
    { message: "Description (one sentence; optional)", optional: true },
    (value) => value.trim() || undefined,
  );
  const inputs = await askFields(ask, "input", flags.input);
  const outputs = await askFields(ask, "output", flags.output);
  const answers: WorkerAnswers = { name, kind, tier, description, inputs, outputs };
  if (kind === "llm") answers.systemPrompt = await askSystemPrompt(ask, flags, answers);
  else
    answers.backend = await ask.text(
      "--backend",
      flags.backend,
      {
        message: 'Processing backend ("<module>#<Export>")',
        placeholder: "../backends/my-backend.js#MyBackend",
      },
      (value) => value.trim(),
    );
  answers.timeoutSeconds = await ask.text(
    "--timeout",
    flags.timeout,
    { message: "Timeout (seconds)", defaultValue: "60" },
    positiveNumber,
  );
  const text = workerYaml(answers, { file, takenNames: takenFor(file) });
  const warnings = await writeConfig(file, text, { kind: "worker", force: flags.force });
  const next = [
    `wrote ${file}${warnings.length > 0 ? ` (${warnings.length} warning${warnings.length === 1 ? "" : "s"})` : ""}`,
    ...warnings.map((w) => `  warning: ${w.path}  ${w.message}`),
    "next:",
    `  loom validate ${file}`,
    `  loom run worker --config ${file} --input '${inputSkeleton(inputs)}'`,
  ];
  if (interactive) p.outro(next.join("\n"));
  else process.stdout.write(`${next.join("\n")}\n`);
}

/** Parses a positive number of seconds. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === "" || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`timeout must be a positive number of seconds (got '${value}')`);
  return n;
}

async function askFields(ask: AskerType, side: "input" | "output", given: string[]): Promise<FieldSpec[]> {
  if (given.length > 0 || !ask.interactive) {
    if (given.length === 0)
      throw new UsageError(
        `missing --${side} (name:type; repeat for each field) (required with --non-interactive or when stdin is not a terminal)`,
      );
    return parseFieldSpecs(given, side);
  }
  const specs: string[] = [];
  for (;;) {
    const spec = await ask.text(
      `--${side}`,
      undefined,
      {
        message: `${side === "input" ? "Input" : "Output"} field ${specs.length + 1} (name:type, name?:type optional; empty to finish)`,
        placeholder: side === "input" ? "text:string" : "result:string",
        optional: specs.length > 0,
      },
      (value) => {
        if (value.trim() !== "") parseFieldSpec(value);
        return value.trim();
      },
    );
    if (spec === "") break;
    specs.push(spec);
  }
  return parseFieldSpecs(specs, side);
}

async function askSystemPrompt(
  ask: AskerType,
  flags: NewWorkerFlags,
  answers: WorkerAnswers,
): Promise<string> {
  if (flags.systemPrompt !== undefined && flags.systemPromptFile !== undefined)
    throw new UsageError("give --system-prompt or --system-prompt-file, not both");
  if (flags.systemPromptFile !== undefined) return readFile(flags.systemPromptFile, "utf8");
  const editor = process.env.VISUAL || process.env.EDITOR;
  if (flags.systemPrompt === undefined && ask.interactive && editor) {
    if (await ask.confirm(`Write the system prompt in ${editor}?`, true)) return editPrompt(editor, answers);
  }
  return ask.text(
    "--system-prompt (or --system-prompt-file)",
    flags.systemPrompt,
    { message: "System prompt", placeholder: "You are a ... agent. Respond with ONLY a JSON object." },
    (value) => {
      if (!value.trim()) throw new UsageError("the system prompt is empty");
      return value;
    },
  );
}

/** Opens `editor` on a temp file holding a starter prompt built from the fields. */
async function editPrompt(editor: string, answers: WorkerAnswers): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "loom-prompt-"));
  const file = path.join(dir, `${answers.name}.prompt.md`);
  try {
    await writeFile(file, starterPrompt(answers));
    const result = spawnSync(`${editor} ${JSON.stringify(file)}`, { stdio: "inherit", shell: true });
    if (result.status !== 0) throw new UsageError(`${editor} exited with ${result.status ?? result.signal}`);
    const text = await readFile(file, "utf8");
    if (!text.trim()) throw new UsageError("the system prompt is empty");
    return text;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The starter prompt the editor opens with: the guide's INPUT FORMAT / OUTPUT FORMAT layout. */
export function starterPrompt(answers: Pick<WorkerAnswers, "inputs" | "outputs">): string {
  return [
    "You are a <role> agent. <What to do with the input.>",
    "",
    "INPUT FORMAT:",
    "You will receive a JSON object:",
    ...answers.inputs.map((f) => `- ${f.name} (${f.type}${f.required ? "" : ", optional"}): <what it is>`),
    "",
    "OUTPUT FORMAT:",
    "Respond with ONLY a JSON object:",
    `{${answers.outputs.map((f) => `"${f.name}": <${f.type}>`).join(", ")}}`,
    "",
    "RULES:",
    "- Never output anything except the JSON object",
    "",
  ].join("\n");
}
