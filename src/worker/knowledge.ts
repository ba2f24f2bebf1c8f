/**
 * Knowledge context (Parts 5 and 8 of the guide): the text put before a worker's system prompt,
 * built from `knowledge_sources` (reference files and few-shot examples) and folder
 * `knowledge_silos`, checked against the worker's `max_input_tokens`.
 */
import { readFile, stat } from "node:fs/promises";
import path from "node:path";
import { parse as parseYaml } from "yaml";
import type { FolderSilo, KnowledgeSource, WorkerConfig } from "../config/types.js";
import { errorMessage, LoomError } from "../errors.js";
import { readSiloFolder, siloFolder } from "./silos.js";
import { workerPath } from "./worker-path.js";

/** The rough size estimate used for the budget check: about 4 characters per token. */
export const CHARS_PER_TOKEN = 4;

/** One block of the knowledge context, named for budget error messages. */
interface Section {
  label: string;
  text: string;
}

/**
 * The knowledge text for a worker, to put before its system prompt: each `reference` source under
 * a `## Reference: <file>` header, each `few_shot` source as numbered examples, each folder silo
 * as its files under `### <path>` headers (readwrite silos also explain `silo_updates`). Returns
 * `''` when the worker has none. Files are read on every call, so silo changes show at once.
 *
 * Throws LoomError `config_error` when a file or folder is missing or malformed, or when the
 * text is larger than `max_input_tokens` (estimated at ~4 characters per token).
 *
 * @example
 * const knowledge = await buildKnowledgeContext(worker);
 * const system = knowledge ? `${knowledge}\n\n${worker.systemPrompt}` : worker.systemPrompt;
 */
export async function buildKnowledgeContext(config: WorkerConfig): Promise<string> {
  const sections: Section[] = [];
  for (const source of config.knowledgeSources ?? []) {
    sections.push(await sourceSection(config, source));
  }
  for (const silo of config.knowledgeSilos ?? []) {
    if (silo.type === "folder") sections.push(await siloSection(config, silo));
  }
  if (sections.length === 0) return "";
  const text = sections.map((s) => s.text).join("\n\n");
  checkBudget(config, sections, text);
  return text;
}

async function sourceSection(config: WorkerConfig, source: KnowledgeSource): Promise<Section> {
  const file = workerPath(config, source.path);
  const name = path.basename(file);
  let content: string;
  try {
    content = await readFile(file, "utf8");
  } catch (cause) {
    throw new LoomError(
      "config_error",
      `worker '${config.name}': knowledge source '${source.path}' cannot be read (${file}): ${errorMessage(cause)}`,
      { details: { worker: config.name, path: file }, cause },
    );
  }
  if (source.injectAs === "few_shot") {
    return { label: name, text: `## Examples: ${name}\n\n${formatFewShot(config, file, content)}` };
  }
  return { label: name, text: `## Reference: ${name}\n\n${content.trim()}` };
}

/**
 * Formats few-shot examples as numbered `Input:`/`Output:` pairs. The file is a YAML (or JSON)
 * list of `{input, output}` objects, or JSONL (one object per line) when it ends in `.jsonl`.
 * Non-string values are written as JSON.
 */
export function formatFewShot(config: WorkerConfig, file: string, content: string): string {
  const bad = (why: string, cause?: unknown): never => {
    throw new LoomError("config_error", `worker '${config.name}': few_shot file ${file}: ${why}`, {
      details: { worker: config.name, path: file },
      cause,
    });
  };
  let examples: unknown;
  try {
    examples = file.endsWith(".jsonl")
      ? content
          .split("\n")
          .filter((line) => line.trim() !== "")
          .map((line) => JSON.parse(line) as unknown)
      : parseYaml(content);
  } catch (cause) {
    return bad(`cannot parse (${errorMessage(cause)})`, cause);
  }
  if (!Array.isArray(examples) || examples.length === 0) {
    return bad("expected a non-empty list of {input, output} examples");
  }
  return examples
    .map((example: unknown, i) => {
      if (
        typeof example !== "object" ||
        example === null ||
        !("input" in example) ||
        !("output" in example)
      ) {
        return bad(`example ${i + 1} must have 'input' and 'output'`);
      }
      const { input, output } = example as { input: unknown; output: unknown };
      return `Example ${i + 1}:\nInput: ${asText(input)}\nOutput: ${asText(output)}`;
    })
    .join("\n\n");
}

async function siloSection(config: WorkerConfig, silo: FolderSilo): Promise<Section> {
  const folder = siloFolder(config, silo);
  const isFolder = await stat(folder).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!isFolder && silo.mode === "read") {
    throw new LoomError(
      "config_error",
      `worker '${config.name}': knowledge silo '${silo.name}' folder not found: ${folder} (create it or fix 'path')`,
      { details: { worker: config.name, silo: silo.name, path: folder } },
    );
  }
  // A readwrite silo may start empty: its folder is created by the first `add`.
  const files = isFolder ? await readSiloFolder(folder) : [];
  const header =
    silo.mode === "readwrite"
      ? `## Knowledge silo: ${silo.name} (readwrite)\n\n${updateInstructions(silo.name)}`
      : `## Knowledge silo: ${silo.name}`;
  const body = files.length
    ? files.map((f) => `### ${f.path}\n\n${f.text.trim()}`).join("\n\n")
    : "(this silo has no files yet)";
  return { label: `silo ${silo.name}`, text: `${header}\n\n${body}` };
}

function updateInstructions(name: string): string {
  return (
    `You may update this silo by adding a "silo_updates" array to your JSON output, e.g. ` +
    `[{"silo": "${name}", "action": "add", "filename": "new.md", "content": "..."}]. ` +
    `Actions: "add" (new file), "modify" (replace an existing file), "delete" (no content). ` +
    `Filenames are relative to the silo folder.`
  );
}

function checkBudget(config: WorkerConfig, sections: Section[], text: string): void {
  const tokens = Math.ceil(text.length / CHARS_PER_TOKEN);
  if (tokens <= config.maxInputTokens) return;
  const parts = sections.map((s) => `${s.label} ~${Math.ceil(s.text.length / CHARS_PER_TOKEN)}`).join(", ");
  throw new LoomError(
    "config_error",
    `worker '${config.name}': knowledge context is ~${tokens} tokens (${text.length} chars at ~${CHARS_PER_TOKEN} chars/token; ${parts}), ` +
      `over max_input_tokens ${config.maxInputTokens}. Raise max_input_tokens, trim the knowledge files, ` +
      `or exclude files from silos with .siloignore.`,
    { details: { worker: config.name, estimated_tokens: tokens, max_input_tokens: config.maxInputTokens } },
  );
}

function asText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
