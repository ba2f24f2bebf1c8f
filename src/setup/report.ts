/**
 * Plain-text lines `loom setup` prints: what was found, the plan, the tier checks, what to run
 * next. Never includes a key's value ("set in the environment").
 */
import { TIERS } from "../config/types.js";
import type { TierCheck } from "./check-tiers.js";
import type { SetupPlan } from "./choose.js";
import type { Detection, ProbedServer } from "./detect.js";

/** One line per thing probed. */
export function describeDetection(found: Detection): string[] {
  const server = (s: ProbedServer): string =>
    s.reachable
      ? `${s.name} at ${s.url}: ${s.models.length} model(s)${s.models.length ? `: ${s.models.join(", ")}` : ""}`
      : `${s.name} at ${s.url}: not found (${s.error ?? "unreachable"})`;
  return [
    server(found.ollama),
    ...found.openaiServers.map(server),
    `ANTHROPIC_API_KEY: ${found.keys.anthropic ? "set in the environment" : "not set"}`,
    `OPENAI_API_KEY: ${found.keys.openai ? "set in the environment" : "not set"}`,
  ];
}

/** One line per tier, plus the embedding model. */
export function describePlan(plan: SetupPlan): string[] {
  return [
    ...TIERS.map((tier) => {
      const c = plan.tiers[tier];
      return `${tier}: ${c.backend} ${c.model}${c.baseUrl ? ` at ${c.baseUrl}` : ""}`;
    }),
    ...(plan.embeddingModel ? [`embedding: ${plan.embeddingModel}`] : []),
  ];
}

/** One line per tier check. */
export function describeChecks(checks: readonly TierCheck[]): string[] {
  return checks.map((c) =>
    c.ok
      ? `${c.tier}: ok (${c.backend} ${c.model}, ${c.latencyMs} ms)`
      : `${c.tier}: FAILED (${c.backend} ${c.model}): ${c.error}`,
  );
}

/** What to run once the file is written. */
export function nextSteps(): string[] {
  return [
    "loom validate --all",
    `loom run worker --config configs/workers/summarizer.yaml --input '{"text": "Loom chains small typed workers."}'`,
    "loom workshop",
  ];
}
