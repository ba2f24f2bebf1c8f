import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadWorkerConfig } from "../../src/config/index.js";
import type { WorkerConfig } from "../../src/config/types.js";
import { executeTask } from "../../src/worker/execute-task.js";
import { UN_ENTITIES, UN_TEXT } from "../fixtures/entity-extractor.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { fakeLlmSettings } from "../fixtures/fake-llm-settings.js";

// `input_schema_ref` / `output_schema_ref` naming Zod schemas, end to end: YAML → load (refs
// resolved with z.toJSONSchema) → executeTask validating both sides → a fake model over HTTP.

const contracts = fileURLToPath(new URL("../fixtures/contracts/entities.js", import.meta.url));

let llm: FakeLlm;
let dir: string;
let worker: WorkerConfig;

beforeAll(async () => {
  llm = await startFakeLlm();
  dir = await mkdtemp(path.join(tmpdir(), "loom-schema-refs-"));
  const file = path.join(dir, "entity_extractor.yaml");
  await writeFile(
    file,
    `name: entity_extractor
system_prompt: "Extract people, places and organizations. Reply with the JSON object only."
input_schema_ref: "${path.relative(dir, contracts).split(path.sep).join("/")}#EntityInput"
output_schema_ref: "${contracts}#EntityOutput"
default_model_tier: local
`,
  );
  worker = await loadWorkerConfig(file);
});
afterAll(async () => {
  await llm.close();
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => llm.reset());

const run = (payload: Record<string, unknown>) =>
  executeTask(
    { task_id: "t-refs", worker_type: "entity_extractor", payload },
    { worker, settings: fakeLlmSettings(llm, "ollama") },
  );

describe("schema refs to Zod schemas, through executeTask", () => {
  it("schema refs: a valid task completes, and the model is given the Zod output schema as JSON Schema", async () => {
    llm.enqueue({ text: JSON.stringify(UN_ENTITIES) });
    const result = await run({ text: UN_TEXT });
    expect(result.error).toBeNull();
    expect(result.output).toEqual(UN_ENTITIES);
    expect(llm.chatRequests()[0]?.body).toHaveProperty(
      "format",
      expect.objectContaining({
        type: "object",
        required: ["people", "places", "organizations", "count"],
        properties: expect.objectContaining({
          count: expect.objectContaining({ type: "integer", minimum: 0 }),
        }),
      }),
    );
  });

  it("schema refs: input that breaks the Zod input schema is invalid_input and calls no model", async () => {
    const result = await run({ text: "" });
    expect(result.error?.code).toBe("invalid_input");
    expect(result.error?.details?.violations).toEqual([
      { path: "text", message: expect.stringContaining("must NOT have fewer than 1 characters") },
    ]);
    expect(llm.chatRequests()).toHaveLength(0);
  });

  it("schema refs: output that breaks the Zod output schema is invalid_output naming each path", async () => {
    const raw = JSON.stringify({ ...UN_ENTITIES, people: "Franklin Roosevelt", count: -1 });
    llm.enqueue({ text: raw });
    const result = await run({ text: UN_TEXT });
    expect(result.error?.code).toBe("invalid_output");
    const violations = (result.error?.details?.violations ?? []) as { path: string }[];
    const paths = violations.map((v) => v.path).sort();
    expect(paths).toEqual(["count", "people"]);
    expect(result.raw_response).toBe(raw);
  });
});
