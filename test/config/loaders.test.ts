/** The loaders: defaults applied, camelCase models, absolute paths, schema refs, every issue thrown. */
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  ConfigValidationError,
  loadMcpConfig,
  loadPipelineConfig,
  loadRouterRules,
  loadWorkerConfig,
  loadWorkerConfigs,
} from "../../src/config/index.js";
import { FIXTURES, ROOT, tempDir } from "./helpers.js";

const configs = (p: string) => path.join(ROOT, "configs", p);

describe("loadWorkerConfig", () => {
  it("applies the guide's defaults and keeps the values given", async () => {
    const worker = await loadWorkerConfig(configs("workers/entity_extractor.yaml"));
    expect(worker).toMatchObject({
      name: "entity_extractor",
      workerKind: "llm",
      defaultModelTier: "local",
      maxInputTokens: 4000,
      maxOutputTokens: 1000,
      timeoutSeconds: 30,
      resetAfterTask: true,
      backendConfig: {},
      knowledgeSources: [],
      knowledgeSilos: [],
      resolveFileRefs: [],
      sourcePath: configs("workers/entity_extractor.yaml"),
    });
    expect(worker.inputSchema).toEqual({
      type: "object",
      required: ["text"],
      properties: { text: { type: "string", minLength: 1 } },
    });
    const processor = await loadWorkerConfig(configs("workers/my_processor.yaml"));
    expect(processor).toMatchObject({
      workerKind: "processor",
      defaultModelTier: "standard",
      maxOutputTokens: 2000,
      timeoutSeconds: 120,
    });
  });

  it("makes knowledge, silo and workspace paths absolute", async () => {
    const legal = await loadWorkerConfig(configs("workers/legal_summarizer.yaml"));
    expect(legal.knowledgeSources).toEqual([
      { path: configs("knowledge/legal_terms.md"), injectAs: "reference" },
    ]);
    const extractor = await loadWorkerConfig(configs("workers/doc_extractor.yaml"));
    expect(extractor.workspaceDir).toBe(configs("workspace"));
    const silo = await loadWorkerConfig(path.join(FIXTURES, "guide/silo_readwrite.yaml"));
    expect(silo.knowledgeSilos).toEqual([
      { name: "learned_patterns", type: "folder", path: configs("knowledge/patterns"), mode: "readwrite" },
    ]);
  });

  it("resolves schema refs to a Zod schema's JSON Schema and to a JSON Schema object", async () => {
    const worker = await loadWorkerConfig(path.join(FIXTURES, "refs/summarizer_with_refs.yaml"));
    expect(worker.inputSchema).toMatchObject({
      type: "object",
      required: ["text"],
      properties: { text: { type: "string", minLength: 1, description: "The text to summarize" } },
    });
    expect(worker.outputSchema).toEqual({
      type: "object",
      required: ["summary"],
      properties: { summary: { type: "string" } },
    });
    expect(worker.inputSchemaRef).toBe("./contracts.js#SummaryInput");
  });

  it("a schema ref that is missing, not a schema, or an invalid schema is an error naming it", async () => {
    const tmp = await tempDir();
    try {
      const contracts = path.join(FIXTURES, "refs/contracts.js");
      const file = await tmp.write(
        "w.yaml",
        `name: w\nsystem_prompt: x\ninput_schema_ref: "${contracts}#Missing"\noutput_schema_ref: "${contracts}#notASchema"\n`,
      );
      const error = await loadWorkerConfig(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigValidationError);
      const issues = (error as ConfigValidationError).issues;
      expect(issues.find((i) => i.path === "input_schema_ref")?.message).toMatch(
        /has no export 'Missing' \(exports: .*SummaryInput/,
      );
      expect(issues.find((i) => i.path === "output_schema_ref")?.message).toMatch(
        /#notASchema' is number; expected an exported Zod schema/,
      );
      const broken = await tmp.write(
        "b.yaml",
        `name: b\nsystem_prompt: x\ninput_schema_ref: "${contracts}#BrokenSchema"\n`,
      );
      await expect(loadWorkerConfig(broken)).rejects.toThrow(/input_schema_ref .*is not a valid JSON Schema/);
    } finally {
      await tmp.cleanup();
    }
  });

  it("throws every issue at once, each as file:line:col  path  message", async () => {
    const tmp = await tempDir();
    try {
      const file = await tmp.write(
        "bad.yaml",
        "name: bad\nsystem_prompt: x\ntimeout_seconds: 0\ndefault_model_tier: fast\n",
      );
      const error = await loadWorkerConfig(file).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigValidationError);
      const invalid = error as ConfigValidationError;
      expect(invalid.code).toBe("config_invalid");
      expect(invalid.issues.filter((i) => i.severity === "error")).toHaveLength(2);
      expect(invalid.message).toContain(`${file}:3:18  timeout_seconds  must be a positive number (got 0)`);
      expect(invalid.message).toContain(
        `${file}:4:21  default_model_tier  must be local, standard or frontier (got 'fast')`,
      );
    } finally {
      await tmp.cleanup();
    }
  });
});

describe("loadWorkerConfigs", () => {
  it("loads every worker of a folder by name, skipping _template.yaml", async () => {
    const workers = await loadWorkerConfigs(configs("workers"));
    expect([...workers.keys()].sort()).toEqual([
      "classifier",
      "doc_classifier",
      "doc_extractor",
      "entity_extractor",
      "legal_summarizer",
      "my_processor",
      "summarizer",
    ]);
    expect(workers.get("doc_classifier")?.knowledgeSources[0]?.injectAs).toBe("few_shot");
  });

  it("reports invalid files and duplicate names together", async () => {
    const tmp = await tempDir();
    try {
      await tmp.write("a.yaml", "name: same\nsystem_prompt: x\n");
      await tmp.write("b.yaml", "name: same\nsystem_prompt: y\n");
      await tmp.write("c.yaml", "name: c\nsystem_prompt: z\ntimeout_seconds: -1\n");
      const error = (await loadWorkerConfigs(tmp.dir).catch((e: unknown) => e)) as ConfigValidationError;
      expect(error).toBeInstanceOf(ConfigValidationError);
      const messages = error.issues.filter((i) => i.severity === "error").map((i) => i.message);
      expect(messages).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^duplicate worker name 'same'/),
          "must be a positive number (got -1)",
        ]),
      );
    } finally {
      await tmp.cleanup();
    }
  });
});

describe("other loaders", () => {
  it("loadPipelineConfig gives camelCase stages with defaults", async () => {
    const pipeline = await loadPipelineConfig(configs("orchestrators/analysis_pipeline.yaml"));
    expect(pipeline).toMatchObject({ name: "analysis_pipeline", timeoutSeconds: 300, maxConcurrentGoals: 1 });
    expect(pipeline.stages[1]).toEqual({
      name: "classify",
      workerType: "doc_classifier",
      tier: "local",
      inputMapping: { text_preview: "extract.output.text_preview", page_count: "extract.output.page_count" },
      dependsOn: undefined,
      condition: undefined,
      timeoutSeconds: undefined,
    });
  });

  it("loadMcpConfig makes entry config paths absolute", async () => {
    const mcp = await loadMcpConfig(configs("mcp/my_server.yaml"));
    expect(mcp.tools.workers).toEqual([
      { config: configs("workers/summarizer.yaml"), name: undefined, description: undefined },
      {
        config: configs("workers/classifier.yaml"),
        name: "classify_document",
        description: "Classify a document",
      },
    ]);
    expect(mcp.tools.pipelines[0]).toMatchObject({
      config: configs("orchestrators/rag_pipeline.yaml"),
      name: "ingest_document",
    });
    expect(mcp.tools.queries[0]).toMatchObject({
      namePrefix: "docs",
      actions: ["search", "filter", "stats", "get"],
    });
    expect(mcp.resources).toEqual({ workspaceDir: "/tmp/workspace", patterns: ["*.pdf", "*.json"] });
    expect(mcp.natsUrl).toBe("nats://localhost:4222");
  });

  it("loadRouterRules converts rate limits", async () => {
    const rules = await loadRouterRules(configs("router_rules.yaml"));
    expect(rules.tierOverrides).toEqual({ entity_extractor: "local", legal_summarizer: "standard" });
    expect(rules.rateLimits.frontier).toEqual({ maxConcurrent: 3, tokensPerMinute: 50000 });
  });

  it("a loader refuses a file of another kind", async () => {
    await expect(loadPipelineConfig(configs("workers/summarizer.yaml"))).rejects.toThrow(
      /this is a worker config, not a pipeline config/,
    );
  });
});
