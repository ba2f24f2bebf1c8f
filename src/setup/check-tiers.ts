/**
 * The one-line request `loom setup` sends to each chosen tier, through the same backend layer
 * workers use (`resolveTier`), so what passes here is what `loom run` will reach.
 */
import { TIERS, type Tier } from "../config/types.js";
import { errorMessage } from "../errors.js";
import type { LoomSettings } from "../llm/settings.js";
import { resolveTier } from "../llm/tiers.js";

/** How one tier answered. */
export interface TierCheck {
  tier: Tier;
  backend: string;
  model: string;
  ok: boolean;
  latencyMs: number;
  /** The backend's error message when the request failed. */
  error?: string;
}

export interface CheckTiersOptions {
  /** Per request. @default 30000 (a local model may need to load first) */
  timeoutMs?: number;
}

/**
 * Sends "Reply with the word ok." to every tier of `settings` (tiers sharing a backend and model
 * are asked once), in parallel. Never throws: failures are in the result.
 *
 * @example for (const c of await checkTiers(settings)) console.log(c.tier, c.ok ? `${c.latencyMs} ms` : c.error);
 */
export async function checkTiers(
  settings: LoomSettings,
  options: CheckTiersOptions = {},
): Promise<TierCheck[]> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  // Fail fast: setup reports the error, it does not wait out a backoff.
  const quick: LoomSettings = { ...settings, retry: { maxAttempts: 1, maxRefusedAttempts: 1 } };
  const asked = new Map<string, Promise<Omit<TierCheck, "tier">>>();
  return Promise.all(
    TIERS.map(async (tier): Promise<TierCheck> => {
      let resolved: ReturnType<typeof resolveTier>;
      try {
        resolved = resolveTier(tier, quick);
      } catch (error) {
        const configured = settings.tiers[tier];
        return {
          tier,
          backend: configured?.backend ?? "?",
          model: configured?.model ?? "?",
          ok: false,
          latencyMs: 0,
          error: errorMessage(error),
        };
      }
      const key = JSON.stringify([resolved.backend.kind, resolved.backend.url, resolved.model]);
      let pending = asked.get(key);
      if (!pending) {
        pending = ask(resolved, timeoutMs);
        asked.set(key, pending);
      }
      return { tier, ...(await pending) };
    }),
  );
}

async function ask(
  resolved: ReturnType<typeof resolveTier>,
  timeoutMs: number,
): Promise<Omit<TierCheck, "tier">> {
  const { backend, model } = resolved;
  const started = performance.now();
  const base = { backend: backend.kind, model };
  try {
    await backend.complete({
      model,
      messages: [{ role: "user", content: "Reply with the word ok." }],
      maxOutputTokens: 16,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { ...base, ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (error) {
    return {
      ...base,
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: errorMessage(error),
    };
  }
}
