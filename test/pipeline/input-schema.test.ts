import { describe, expect, it } from "vitest";
import type { PipelineConfig, WorkerConfig } from "../../src/config/types.js";
import { pipelineInputSchema } from "../../src/pipeline/input-schema.js";
import { workerConfig } from "../fixtures/worker-config.js";

function worker(name: string, properties: Record<string, unknown>): WorkerConfig {
  return workerConfig({ name, workerKind: "processor", inputSchema: { type: "object", properties } });
}

const workers = new Map([
  ["extractor", worker("extractor", { file_ref: { type: "string", minLength: 1, description: "A file" } })],
  ["ocr", worker("ocr", { file_ref: { type: "string" }, language: { type: "string", enum: ["en", "de"] } })],
  ["tagger", worker("tagger", { text: { type: "string" }, max_tags: { type: "integer", minimum: 1 } })],
]);

const pipeline: PipelineConfig = {
  name: "p",
  timeoutSeconds: 60,
  maxConcurrentGoals: 1,
  stages: [
    { name: "extract", workerType: "extractor", inputMapping: { file_ref: "goal.context.file_ref" } },
    {
      name: "ocr",
      workerType: "ocr",
      condition: "extract.output.needs_ocr == true",
      inputMapping: { file_ref: "goal.context.file_ref", language: "goal.context.language" },
    },
    {
      name: "tag",
      workerType: "tagger",
      inputMapping: { text: "extract.output.text", max_tags: "goal.context.limits.tags" },
    },
  ],
};

describe("mcp pipeline input schema", () => {
  it("types each goal.context key from the worker that reads it", () => {
    const schema = pipelineInputSchema(pipeline, workers);
    const properties = schema.properties as Record<string, Record<string, unknown>>;
    expect(properties.file_ref).toMatchObject({ type: "string", minLength: 1 });
    expect(String(properties.file_ref?.description)).toContain("A file");
    expect(String(properties.file_ref?.description)).toContain("extract → extractor.file_ref");
    expect(properties.language).toMatchObject({ type: "string", enum: ["en", "de"] });
  });

  it("requires a key unless only conditional stages read it", () => {
    const schema = pipelineInputSchema(pipeline, workers);
    expect(schema.required).toEqual(["file_ref", "limits"]);
  });

  it("leaves a key untyped when a stage reads only part of it", () => {
    const properties = pipelineInputSchema(pipeline, workers).properties as Record<
      string,
      Record<string, unknown>
    >;
    expect(properties.limits?.type).toBeUndefined();
    expect(String(properties.limits?.description)).toContain("tag → tagger.max_tags");
  });
});
