/**
 * Writing the settings file `loom setup` produces, in the format `loadSettings` reads
 * (src/llm/settings.ts). An existing file is updated through the `yaml` Document API, so the
 * user's comments and every key setup does not manage survive; only `tiers.<tier>.backend/model/
 * base_url`, `ollama.host`, `embedding.model` and (when the user agreed) `*.api_key` change.
 */
import { chmod, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { Document, isMap, parseDocument } from "yaml";
import { TIERS } from "../config/types.js";
import { errorMessage, LoomError } from "../errors.js";
import type { SetupPlan } from "./choose.js";

/** The comment a file gets when setup found no LLM at all. */
export const NOTHING_FOUND_COMMENT = [
  " loom setup found no LLM on this machine: no Ollama, no OpenAI-compatible server,",
  " no ANTHROPIC_API_KEY or OPENAI_API_KEY. The tiers below use Ollama once it runs. To fix:",
  "   ollama serve && ollama pull llama3.2:3b",
  " or set ANTHROPIC_API_KEY (or OPENAI_API_KEY), then run `loom setup` again.",
].join("\n");

const HEADER = ' Loom LLM settings, written by `loom setup` (see README, "LLM backends").';

/**
 * The new text of the settings file: `existing` (when given) with the plan's keys set, else a
 * fresh file. Throws `config_error` when `existing` is not valid YAML or not a mapping.
 *
 * @example const text = renderSettings(plan, await readFile(file, "utf8").catch(() => undefined));
 */
export function renderSettings(plan: SetupPlan, existing?: string, file = "settings.yaml"): string {
  const fresh = existing === undefined || existing.trim() === "";
  const doc: Document = fresh ? new Document({}) : parseDocument(existing);
  if (doc.errors.length > 0) {
    throw new LoomError("config_error", `${file}: not valid YAML: ${doc.errors[0]?.message}`, {
      cause: doc.errors[0],
    });
  }
  if (fresh) doc.commentBefore = HEADER;
  else if (doc.contents === null) doc.contents = doc.createNode({});
  if (!isMap(doc.contents)) throw new LoomError("config_error", `${file}: (root): expected a mapping`);

  const note = plan.nothingFound ? NOTHING_FOUND_COMMENT : undefined;
  const header = (doc.commentBefore ?? "").replace(NOTHING_FOUND_COMMENT, "").replace(/\n+$/, "");
  doc.commentBefore = [note, header].filter(Boolean).join("\n") || null;

  if (plan.ollamaHost) doc.setIn(["ollama", "host"], plan.ollamaHost);
  for (const tier of TIERS) {
    const choice = plan.tiers[tier];
    const before = doc.getIn(["tiers", tier, "backend"]);
    if (!doc.hasIn(["tiers"])) doc.set("tiers", doc.createNode({}));
    if (!isMap(doc.getIn(["tiers", tier]))) doc.setIn(["tiers", tier], doc.createNode({}));
    // A tier moved to another backend keeps nothing that belonged to the old one.
    if (before !== undefined && before !== choice.backend) doc.deleteIn(["tiers", tier, "api_key"]);
    doc.setIn(["tiers", tier, "backend"], choice.backend);
    doc.setIn(["tiers", tier, "model"], choice.model);
    if (choice.baseUrl) doc.setIn(["tiers", tier, "base_url"], choice.baseUrl);
    else doc.deleteIn(["tiers", tier, "base_url"]);
  }
  if (plan.embeddingModel) doc.setIn(["embedding", "model"], plan.embeddingModel);
  if (plan.keys.anthropic) doc.setIn(["anthropic", "api_key"], plan.keys.anthropic);
  if (plan.keys.openai) doc.setIn(["openai", "api_key"], plan.keys.openai);
  return doc.toString({ lineWidth: 0 });
}

/** Whether the text holds an API key (so the file must be private). */
export function holdsSecret(text: string): boolean {
  return /^\s*api_key\s*:/m.test(text);
}

export interface WriteSettingsOptions {
  /** Make the file private (0600). @default holdsSecret(text) */
  secret?: boolean;
}

/**
 * Writes `text` to `file` atomically: a temporary file beside it, then a rename, so a crash never
 * leaves half a settings file. The file is mode 0600 when it holds a key, else 0644.
 */
export async function writeSettingsFile(
  file: string,
  text: string,
  options: WriteSettingsOptions = {},
): Promise<void> {
  const mode = (options.secret ?? holdsSecret(text)) ? 0o600 : 0o644;
  await mkdir(path.dirname(file), { recursive: true });
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(temp, text, { mode });
    await chmod(temp, mode);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw new LoomError("config_error", `cannot write ${file}: ${errorMessage(error)}`, { cause: error });
  }
}

/** The current text of the settings file, or `undefined` when there is none. */
export async function readSettingsText(file: string): Promise<string | undefined> {
  return readFile(file, "utf8").catch((error: NodeJS.ErrnoException) => {
    if (error.code === "ENOENT") return undefined;
    throw new LoomError("config_error", `cannot read ${file}: ${errorMessage(error)}`, { cause: error });
  });
}
