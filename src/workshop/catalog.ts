/**
 * The configs of a folder as the Workshop shows them (every YAML file of `workers/` or
 * `orchestrators/`), valid or not, with their validation issues. Validation results are cached per file by
 * modification time and size, so listing 200 workers costs a `stat` each once they are known.
 * URLs name configs; only names found here are ever mapped to files, so no URL can address a file
 * outside the configs folder.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { closest } from "fastest-levenshtein";
import { type ConfigIssue, hasErrors, validateConfigFile } from "../config/index.js";
import { isYamlFile } from "../config/workers-dir.js";
import { parseYamlSource } from "../config/yaml-source.js";

/** One worker file of the configs folder. */
export interface WorkerEntry {
  /** The `name` field, or the file name without extension when the file has none. */
  name: string;
  file: string;
  /** `workers/x.yaml`, relative to the configs folder. */
  relativePath: string;
  kind: "llm" | "processor";
  tier: string;
  description: string;
  issues: ConfigIssue[];
  valid: boolean;
}

interface Cached<E> {
  stamp: string;
  entry: E;
}

/** Describes one config file, never throwing for what is in it; `text` is an unsaved edit. */
export type Describe<E> = (file: string, configsDir: string, text?: string) => Promise<E>;

/** The configs of one folder (`workers/`, `orchestrators/`) as the Workshop lists them. */
export class ConfigCatalog<E extends { name: string; file: string }> {
  readonly folder: string;
  readonly #cache = new Map<string, Cached<E>>();

  constructor(
    readonly configsDir: string,
    readonly folderName: string,
    readonly describe: Describe<E>,
  ) {
    this.folder = path.join(configsDir, folderName);
  }

  /** Every config, sorted by name. A folder that does not exist lists nothing. */
  async list(): Promise<E[]> {
    const names = await readdir(this.folder).catch(() => [] as string[]);
    const files = names.filter((f) => isYamlFile(f) && !f.startsWith("_")).sort();
    const entries = await Promise.all(files.map((f) => this.#entry(path.join(this.folder, f))));
    return entries
      .filter((e): e is Awaited<E> => e !== undefined)
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /** The config called `name`, or undefined. */
  async find(name: string): Promise<E | undefined> {
    return (await this.list()).find((e) => e.name === name);
  }

  /** "no worker 'x' in configs/workers — did you mean 'y'?" */
  async unknownMessage(what: string, name: string): Promise<string> {
    const names = (await this.list()).map((e) => e.name);
    const hint = names.length > 0 ? ` — did you mean '${closest(name, names)}'?` : "";
    return `no ${what} '${name}' in ${path.basename(this.configsDir)}/${this.folderName}${hint}`;
  }

  /** Forgets what is known of `file` (after the Workshop wrote it). */
  forget(file: string): void {
    this.#cache.delete(file);
  }

  async #entry(file: string): Promise<E | undefined> {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return undefined;
    const stamp = `${info.mtimeMs}:${info.size}`;
    const cached = this.#cache.get(file);
    if (cached?.stamp === stamp) return cached.entry;
    const entry = await this.describe(file, this.configsDir);
    this.#cache.set(file, { stamp, entry });
    return entry;
  }
}

/** The workers of a configs folder. */
export class WorkerCatalog extends ConfigCatalog<WorkerEntry> {
  constructor(configsDir: string) {
    super(configsDir, "workers", describeWorker);
  }
}

/** Reads and validates one worker file, never throwing for what is in it. */
export async function describeWorker(file: string, configsDir: string, text?: string): Promise<WorkerEntry> {
  const { issues } = await validateConfigFile(file, {
    kind: "worker",
    ...(text === undefined ? {} : { text }),
  });
  const fields = text === undefined ? await readFields(file) : fieldsOf(file, text);
  return {
    name: typeof fields.name === "string" && fields.name !== "" ? fields.name : path.parse(file).name,
    file,
    relativePath: path.relative(configsDir, file),
    kind: fields.worker_kind === "processor" ? "processor" : "llm",
    tier: typeof fields.default_model_tier === "string" ? fields.default_model_tier : "standard",
    description: typeof fields.description === "string" ? fields.description : "",
    issues,
    valid: !hasErrors(issues),
  };
}

async function readFields(file: string): Promise<Record<string, unknown>> {
  return fieldsOf(file, await readFile(file, "utf8").catch(() => ""));
}

export function fieldsOf(file: string, text: string): Record<string, unknown> {
  const data = parseYamlSource(file, text).data;
  return data !== null && typeof data === "object" && !Array.isArray(data)
    ? (data as Record<string, unknown>)
    : {};
}
