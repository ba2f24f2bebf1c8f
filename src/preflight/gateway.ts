/**
 * The gateway's pre-flight: NATS with JetStream when it runs tool calls on the mesh (a failure
 * stops it), and the tier of each LLM worker tool (a warning only: those tools answer with the fix
 * when called, and every other tool works).
 */
import { type ConfigFileCache, loadMcpConfig, loadWorkerConfig } from "../config/index.js";
import type { Tier } from "../config/types.js";
import { loadSettings } from "../llm/settings.js";
import type { CheckResult } from "./check.js";
import { checkTier } from "./llm-check.js";
import { checkNats } from "./nats-check.js";

export interface GatewayChecks {
  /** Must pass before the gateway serves. */
  blocking: Promise<CheckResult>[];
  /** Warnings, printed when they finish without delaying the start. */
  background: Promise<CheckResult>[];
}

export async function gatewayChecks(
  configFile: string,
  options: {
    natsUrl?: string;
    natsCreds?: string;
    /** Read the config files through this cache (the gateway's, which then reads none again). */
    fileCache?: ConfigFileCache;
  },
): Promise<GatewayChecks> {
  const load = options.fileCache ? { fileCache: options.fileCache } : {};
  // A config that does not load is reported by the gateway itself, with every issue.
  const config = await loadMcpConfig(configFile, load).catch(() => undefined);
  if (!config) return { blocking: [], background: [] };
  const natsUrl = options.natsUrl ?? config.natsUrl;
  const blocking = natsUrl ? [checkNats(natsUrl, options.natsCreds)] : [];
  const checks: Promise<CheckResult>[] = [];
  const tiers = new Set<Tier>();
  const workers = await Promise.all(
    config.tools.workers.map((entry) => loadWorkerConfig(entry.config, load).catch(() => undefined)),
  );
  for (const worker of workers) {
    if (worker && worker.workerKind !== "processor") tiers.add(worker.defaultModelTier);
  }
  const settings = await loadSettings({ configFile });
  for (const tier of [...tiers].sort()) {
    checks.push(
      checkTier(tier, settings).then((result) => ({
        ...result,
        severity: "warning" as const,
        detail: `${result.detail}${result.ok ? "" : " (its tools answer with this until it is fixed)"}`,
      })),
    );
  }
  return { blocking, background: checks };
}
