/** The router rules definition (Part 7). */
import { z } from "zod";
import { TIERS, type Tier } from "../types.js";
import { positiveInt, tierField } from "./common.js";

const rateLimit = z.strictObject({
  max_concurrent: positiveInt("Tasks in flight at once for this tier.").optional(),
  tokens_per_minute: positiveInt("Token-bucket refill rate for this tier.").optional(),
});

/** Definition of a router rules YAML file. */
export const routerRulesDefinition = z
  .strictObject({
    tier_overrides: z
      .record(z.string(), tierField, { error: "must be a mapping of worker name to tier" })
      .default({})
      .meta({ description: "Force a worker type to a tier: worker name → local|standard|frontier." }),
    rate_limits: z
      .partialRecord(z.enum(TIERS as [Tier, ...Tier[]]), rateLimit, {
        error: "must be a mapping of tier to limits",
      })
      .default({})
      .meta({ description: "Per-tier token-bucket limits; over-limit tasks go to loom.tasks.dead_letter." }),
  })
  .meta({ title: "Loom router rules", description: "Tier overrides and per-tier rate limits." });

/** Router rules as validated, snake_case, defaults applied. */
export type RouterRulesData = z.output<typeof routerRulesDefinition>;
