/**
 * The interactive `loom setup`, on a terminal, with @clack/prompts: shows what was found, asks a
 * backend and model per tier (offering the detected models), offers to pull the default local
 * model, asks for an API key only when a chosen backend needs one the environment lacks (stored
 * only after an explicit yes), picks an embedding model, then checks and writes like
 * {@link runSetup}. Cancelling at any prompt writes nothing.
 */
import * as p from "@clack/prompts";
import { TIERS, type Tier } from "../config/types.js";
import { errorMessage } from "../errors.js";
import type { BackendKind } from "../llm/backend.js";
import {
  choosePlan,
  DEFAULT_LOCAL_MODEL,
  defaultModel,
  type SetupPlan,
  SUGGESTED_EMBEDDING_MODEL,
  type TierChoice,
} from "./choose.js";
import { chatModels, type Detection, detect, embeddingModels } from "./detect.js";
import { pullModel } from "./pull.js";
import { describeDetection } from "./report.js";
import { finishSetup, type RunSetupOptions } from "./run-setup.js";

class Cancelled extends Error {}

/** Throws {@link Cancelled} when the user pressed Ctrl-C / Esc. */
function answer<T>(value: T): Exclude<T, symbol> {
  if (p.isCancel(value)) throw new Cancelled();
  return value as Exclude<T, symbol>;
}

/**
 * Runs the wizard. Returns the exit code: 0 when the file was written, 1 when cancelled.
 *
 * @example process.exitCode = await runWizard({ file: userSettingsPath() });
 */
export async function runWizard(options: RunSetupOptions): Promise<number> {
  const env = { ...(options.env ?? process.env) };
  p.intro("loom setup");
  try {
    const spin = p.spinner();
    spin.start("Looking for LLMs on this machine");
    const found = await detect({
      env,
      ollamaHost: options.ollamaHost,
      openaiBaseUrl: options.openaiBaseUrl,
      timeoutMs: options.probeTimeoutMs,
    });
    spin.stop("Looked for LLMs");
    p.note(describeDetection(found).join("\n"), "Found");
    await offerPull(found, DEFAULT_LOCAL_MODEL, "the default local model");

    const plan = choosePlan(found, options);
    for (const tier of TIERS) plan.tiers[tier] = await askTier(tier, plan.tiers[tier], found);
    if (TIERS.some((t) => plan.tiers[t].backend === "ollama")) plan.ollamaHost ??= found.ollama.url;
    await askKeys(plan, found, env, options.file);
    await askEmbedding(plan, found);

    const lines: string[] = [];
    const spinCheck = p.spinner();
    spinCheck.start(
      options.skipTest ? "Writing the settings file" : "Testing each tier and writing the file",
    );
    await finishSetup(found, plan, { ...options, env, print: (line) => lines.push(line) });
    spinCheck.stop("Done");
    p.note(lines.join("\n"), "Setup");
    p.outro(`Settings written to ${options.file}`);
    return 0;
  } catch (error) {
    if (error instanceof Cancelled) {
      p.cancel("cancelled, nothing written");
      return 1;
    }
    p.log.error(errorMessage(error));
    return 1;
  }
}

async function offerPull(found: Detection, model: string, what: string): Promise<void> {
  if (!found.ollama.reachable || found.ollama.models.includes(model)) return;
  const pull = answer(
    await p.confirm({ message: `Ollama does not have ${what} ${model}. Pull it now?`, initialValue: true }),
  );
  if (!pull) return;
  const bar = p.progress({ max: 100 });
  bar.start(`Pulling ${model}`);
  let done = 0;
  try {
    await pullModel(found.ollama.url, model, {
      onProgress: ({ status, percent }) => {
        if (percent !== undefined && percent > done) {
          bar.advance(percent - done, `Pulling ${model}: ${status} ${percent}%`);
          done = percent;
        } else bar.message(`Pulling ${model}: ${status}`);
      },
    });
    bar.stop(`Pulled ${model}`);
    found.ollama.models.push(model);
  } catch (error) {
    bar.error(`Could not pull ${model}: ${errorMessage(error)}`);
  }
}

async function askTier(tier: Tier, initial: TierChoice, found: Detection): Promise<TierChoice> {
  const server = found.openaiServers.find((s) => s.reachable);
  const backend = answer(
    await p.select<BackendKind>({
      message: `Backend for the ${tier} tier`,
      initialValue: initial.backend,
      options: [
        { value: "ollama", label: "Ollama", hint: found.ollama.reachable ? found.ollama.url : "not running" },
        {
          value: "openai",
          label: "OpenAI-compatible",
          hint: server
            ? `${server.name} at ${server.url}`
            : found.keys.openai
              ? "OPENAI_API_KEY set"
              : "OpenAI",
        },
        { value: "anthropic", label: "Anthropic", hint: found.keys.anthropic ? "ANTHROPIC_API_KEY set" : "" },
      ],
    }),
  );
  let baseUrl: string | undefined;
  if (backend === "openai" && server) {
    baseUrl = answer(
      await p.select<string | undefined>({
        message: `Which OpenAI-compatible server for ${tier}?`,
        initialValue: initial.backend === "openai" ? initial.baseUrl : server.url,
        options: [
          ...found.openaiServers
            .filter((s) => s.reachable)
            .map((s) => ({ value: s.url as string | undefined, label: `${s.name} at ${s.url}` })),
          { value: undefined, label: "OpenAI (api.openai.com)" },
        ],
      }),
    );
  }
  const available =
    backend === "ollama"
      ? chatModels(found.ollama.models)
      : (found.openaiServers.find((s) => s.url === baseUrl)?.models ?? []);
  const suggested =
    initial.backend === backend && initial.baseUrl === baseUrl
      ? initial.model
      : defaultModel(backend, tier, found, baseUrl);
  let model: string;
  if (available.length > 0) {
    const other = "\0other";
    const picked = answer(
      await p.select<string>({
        message: `Model for the ${tier} tier`,
        initialValue: available.includes(suggested) ? suggested : available[0],
        options: [
          ...available.map((m) => ({ value: m, label: m })),
          { value: other, label: "another model…" },
        ],
      }),
    );
    model = picked === other ? await askModelName(tier, suggested) : picked;
  } else model = await askModelName(tier, suggested);
  return { backend, model, ...(baseUrl ? { baseUrl } : {}) };
}

async function askModelName(tier: Tier, suggested: string): Promise<string> {
  const typed = answer(
    await p.text({ message: `Model for the ${tier} tier`, placeholder: suggested, defaultValue: suggested }),
  );
  return typed.trim() || suggested;
}

async function askKeys(
  plan: SetupPlan,
  found: Detection,
  env: NodeJS.ProcessEnv,
  file: string,
): Promise<void> {
  const needs = (kind: BackendKind) =>
    TIERS.some((t) => plan.tiers[t].backend === kind && !(kind === "openai" && plan.tiers[t].baseUrl));
  for (const [kind, variable, present] of [
    ["anthropic", "ANTHROPIC_API_KEY", found.keys.anthropic],
    ["openai", "OPENAI_API_KEY", found.keys.openai],
  ] as const) {
    if (!needs(kind) || present) continue;
    const key = answer(
      await p.password({ message: `${variable} is not set. Paste your ${kind} API key (empty to skip)` }),
    ).trim();
    if (!key) {
      p.log.warn(`No key: set ${variable} in your environment before using the ${kind} tiers.`);
      continue;
    }
    env[variable] = key; // for the test request only
    const store = answer(
      await p.confirm({ message: `Store the ${kind} key in ${file} (readable only by you, mode 0600)?` }),
    );
    if (store) plan.keys[kind] = key;
    else p.log.info(`Not stored: set ${variable} in your environment.`);
  }
}

async function askEmbedding(plan: SetupPlan, found: Detection): Promise<void> {
  if (!found.ollama.reachable) return;
  const have = embeddingModels(found.ollama.models);
  if (have.length === 0) {
    await offerPull(found, SUGGESTED_EMBEDDING_MODEL, "the embedding model");
    if (found.ollama.models.includes(SUGGESTED_EMBEDDING_MODEL))
      plan.embeddingModel = SUGGESTED_EMBEDDING_MODEL;
    return;
  }
  const none = "\0none";
  const picked = answer(
    await p.select<string>({
      message: "Embedding model (vector search)",
      initialValue: plan.embeddingModel ?? have[0],
      options: [...have.map((m) => ({ value: m, label: m })), { value: none, label: "none" }],
    }),
  );
  if (picked === none) delete plan.embeddingModel;
  else plan.embeddingModel = picked;
}
