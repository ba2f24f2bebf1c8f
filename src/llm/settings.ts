/**
 * LLM settings: which backend and model serve each tier. Read from `loom.yaml` in the project
 * (the current directory), else `~/.config/loom/settings.yaml`, then overridden by environment
 * variables. Example `loom.yaml`:
 *
 * ```yaml
 * ollama: { host: "http://localhost:11434" }
 * openai: { base_url: "http://localhost:8000/v1" }   # vLLM, LM Studio, llama.cpp server
 * tiers:
 *   local:    { backend: ollama, model: "llama3.2:3b" }
 *   standard: { backend: anthropic, model: "claude-sonnet-4-5" }
 *   frontier: { backend: openai, model: "gpt-4.1" }
 * retry: { max_attempts: 4, base_delay_ms: 500 }
 * ```
 *
 * Environment: OLLAMA_HOST, ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL, OPENAI_API_KEY, OPENAI_BASE_URL,
 * LOOM_<TIER>_MODEL and LOOM_<TIER>_BACKEND (e.g. LOOM_LOCAL_MODEL, LOOM_STANDARD_BACKEND).
 */
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { TIERS, type Tier } from "../config/types.js";
import { yamlLib } from "../config/yaml-lib.js";
import { errorMessage, LoomError } from "../errors.js";
import { BACKEND_KINDS, type BackendKind, type RetryPolicy } from "./backend.js";

/** How one tier is served. Fields left out fall back to the backend's shared settings. */
export interface TierSettings {
  backend: BackendKind;
  model?: string;
  baseUrl?: string;
  apiKey?: string;
  /** Ask the backend for JSON-Schema-constrained output where it supports it. @default true */
  structuredOutput?: boolean;
}

/** Everything Loom needs to reach a model. Built by {@link loadSettings}; may be built by hand too. */
export interface LoomSettings {
  /** Explicitly configured tiers (file, then env). Unset tiers use the defaults of tiers.ts. */
  tiers: Partial<Record<Tier, TierSettings>>;
  ollama: { host?: string };
  anthropic: { apiKey?: string; baseUrl?: string };
  openai: { apiKey?: string; baseUrl?: string };
  retry?: Partial<RetryPolicy>;
  /** The settings file read, if any. */
  sourcePath?: string;
}

export interface LoadSettingsOptions {
  /** Where to look for `loom.yaml` first. @default process.cwd() */
  cwd?: string;
  /**
   * A config file (e.g. the MCP gateway's): when `cwd` has no `loom.yaml`, its folder and each
   * ancestor folder are searched too — Claude Desktop and Cursor start the gateway from a working
   * directory of their own, so the project's `loom.yaml` is found from the config instead.
   */
  configFile?: string;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The user-level settings file. @default ~/.config/loom/settings.yaml */
  userSettingsPath?: string;
}

/** The user-level settings file. */
export function userSettingsPath(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), ".config");
  return path.join(base, "loom", "settings.yaml");
}

/**
 * Loads settings: `loom.yaml` in `cwd`, else in the folder of `configFile` or an ancestor of it,
 * else the user settings file; then env overrides.
 * Throws `config_error` when a settings file is malformed (names the file and the key).
 *
 * @example const settings = await loadSettings(); // in the project folder
 */
export async function loadSettings(options: LoadSettingsOptions = {}): Promise<LoomSettings> {
  const env = options.env ?? process.env;
  const candidates = [
    path.join(options.cwd ?? process.cwd(), "loom.yaml"),
    ...(options.configFile ? ancestorsOf(path.dirname(path.resolve(options.configFile))) : []).map((dir) =>
      path.join(dir, "loom.yaml"),
    ),
    options.userSettingsPath ?? userSettingsPath(env),
  ];
  let settings: LoomSettings = { tiers: {}, ollama: {}, anthropic: {}, openai: {} };
  for (const file of candidates) {
    const text = await readFile(file, "utf8").catch(() => undefined);
    if (text === undefined) continue;
    settings = parseSettings(text, file);
    break;
  }
  return applyEnv(settings, env);
}

function ancestorsOf(dir: string): string[] {
  const dirs = [dir];
  for (let parent = path.dirname(dir); parent !== dirs.at(-1); parent = path.dirname(parent))
    dirs.push(parent);
  return dirs;
}

/** Parses the text of a settings file. */
export function parseSettings(text: string, file: string): LoomSettings {
  let doc: unknown;
  try {
    doc = yamlLib().parse(text) ?? {};
  } catch (cause) {
    throw new LoomError("config_error", `${file}: not valid YAML: ${errorMessage(cause)}`, { cause });
  }
  const root = record(doc, file, "(root)");
  const section = (key: string): Record<string, unknown> =>
    root[key] === undefined ? {} : record(root[key], file, key);
  const tiers: Partial<Record<Tier, TierSettings>> = {};
  for (const [name, value] of Object.entries(section("tiers"))) {
    if (!(TIERS as readonly string[]).includes(name)) {
      throw new LoomError(
        "config_error",
        `${file}: tiers.${name}: unknown tier (tiers: ${TIERS.join(", ")})`,
      );
    }
    const entry = record(value, file, `tiers.${name}`);
    tiers[name as Tier] = {
      backend: backendKind(entry.backend, file, `tiers.${name}.backend`),
      ...optionalString(entry, "model", "model", file, `tiers.${name}`),
      ...optionalString(entry, "base_url", "baseUrl", file, `tiers.${name}`),
      ...optionalString(entry, "api_key", "apiKey", file, `tiers.${name}`),
      ...(typeof entry.structured_output === "boolean" ? { structuredOutput: entry.structured_output } : {}),
    };
  }
  const retry = section("retry");
  return {
    tiers,
    ollama: { ...optionalString(section("ollama"), "host", "host", file, "ollama") },
    anthropic: {
      ...optionalString(section("anthropic"), "api_key", "apiKey", file, "anthropic"),
      ...optionalString(section("anthropic"), "base_url", "baseUrl", file, "anthropic"),
    },
    openai: {
      ...optionalString(section("openai"), "api_key", "apiKey", file, "openai"),
      ...optionalString(section("openai"), "base_url", "baseUrl", file, "openai"),
    },
    retry: {
      ...(typeof retry.max_attempts === "number" ? { maxAttempts: retry.max_attempts } : {}),
      ...(typeof retry.base_delay_ms === "number" ? { baseDelayMs: retry.base_delay_ms } : {}),
      ...(typeof retry.max_delay_ms === "number" ? { maxDelayMs: retry.max_delay_ms } : {}),
    },
    sourcePath: file,
  };
}

/** Applies environment overrides (env wins over files). */
export function applyEnv(settings: LoomSettings, env: NodeJS.ProcessEnv): LoomSettings {
  const out: LoomSettings = {
    ...settings,
    tiers: { ...settings.tiers },
    ollama: {
      ...settings.ollama,
      ...(env.OLLAMA_HOST ? { host: normalizeOllamaHost(env.OLLAMA_HOST) } : {}),
    },
    anthropic: {
      ...settings.anthropic,
      ...(env.ANTHROPIC_API_KEY ? { apiKey: env.ANTHROPIC_API_KEY } : {}),
      ...(env.ANTHROPIC_BASE_URL ? { baseUrl: env.ANTHROPIC_BASE_URL } : {}),
    },
    openai: {
      ...settings.openai,
      ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
      ...(env.OPENAI_BASE_URL ? { baseUrl: env.OPENAI_BASE_URL } : {}),
    },
  };
  for (const tier of TIERS) {
    const backend = env[`LOOM_${tier.toUpperCase()}_BACKEND`];
    const model = env[`LOOM_${tier.toUpperCase()}_MODEL`];
    const current = out.tiers[tier];
    if (backend) {
      const kind = backendKind(backend, "environment", `LOOM_${tier.toUpperCase()}_BACKEND`);
      // A different backend keeps nothing of the old one but an explicitly set model.
      out.tiers[tier] = current?.backend === kind ? { ...current } : { backend: kind };
    }
    if (model) {
      const base = out.tiers[tier];
      out.tiers[tier] = base ? { ...base, model } : { ...defaultBackendFor(tier, out), model };
    }
  }
  return out;
}

/** Ollama accepts `OLLAMA_HOST=0.0.0.0:11434` or a bare host; clients need a URL. */
export function normalizeOllamaHost(value: string): string {
  const withScheme = /^https?:\/\//.test(value) ? value : `http://${value}`;
  return withScheme.replace("://0.0.0.0", "://127.0.0.1");
}

/** The backend a tier uses when nothing names one: Ollama for local, else Anthropic/OpenAI by keys. */
export function defaultBackendFor(tier: Tier, settings: LoomSettings): { backend: BackendKind } {
  if (tier === "local") return { backend: "ollama" };
  if (settings.anthropic.apiKey) return { backend: "anthropic" };
  if (settings.openai.baseUrl || settings.openai.apiKey) return { backend: "openai" };
  return { backend: "anthropic" };
}

function record(value: unknown, file: string, where: string): Record<string, unknown> {
  if (typeof value === "object" && value !== null && !Array.isArray(value))
    return value as Record<string, unknown>;
  throw new LoomError("config_error", `${file}: ${where}: expected a mapping (got ${JSON.stringify(value)})`);
}

function backendKind(value: unknown, file: string, where: string): BackendKind {
  if (typeof value === "string" && (BACKEND_KINDS as readonly string[]).includes(value))
    return value as BackendKind;
  throw new LoomError(
    "config_error",
    `${file}: ${where}: unknown backend ${JSON.stringify(value)} (backends: ${BACKEND_KINDS.join(", ")})`,
  );
}

function optionalString<K extends string>(
  entry: Record<string, unknown>,
  key: string,
  as: K,
  file: string,
  where: string,
): Partial<Record<K, string>> {
  const value = entry[key];
  if (value === undefined || value === null) return {};
  if (typeof value !== "string") {
    throw new LoomError(
      "config_error",
      `${file}: ${where}.${key}: expected a string (got ${JSON.stringify(value)})`,
    );
  }
  return { [as]: value } as Partial<Record<K, string>>;
}
