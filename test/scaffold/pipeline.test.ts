import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { explainLevels, pipelineLevels } from "../../src/config/explain.js";
import { loadPipelineConfig } from "../../src/config/loaders.js";
import { validateConfigFile } from "../../src/config/validate-file.js";
import { readWorkerCatalog } from "../../src/scaffold/catalog.js";
import { stagesFromFlags } from "../../src/scaffold/new-pipeline.js";
import { mappingChoices, parseMapSpec, parseStageSpec, pipelineYaml } from "../../src/scaffold/pipeline.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
const WORKERS = path.join(ROOT, "configs/workers");
const FILE = path.join(ROOT, "configs/orchestrators/scaffolded.yaml");

describe("scaffold: pipeline", () => {
  it("the guide's Part 3 pipeline from --stage/--map validates and has levels extract, then classify + summarize", async () => {
    const workers = await readWorkerCatalog(WORKERS);
    const stages = stagesFromFlags(
      {
        stage: ["extract=doc_extractor@local", "classify=doc_classifier@local", "summarize=entity_extractor"],
        map: [
          "classify.text_preview=extract.output.text_preview",
          "classify.page_count=extract.output.page_count",
          "summarize.text=extract.output.text_preview",
        ],
      },
      workers,
    );
    // file_ref was not mapped: it defaults to goal.context.file_ref.
    expect(stages[0]?.inputMapping).toEqual({ file_ref: "goal.context.file_ref" });
    const text = pipelineYaml({ name: "scaffolded", timeoutSeconds: 120, stages }, { file: FILE, workers });
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=../../schemas/pipeline.schema.json");
    expect(text).toContain("# pipeline_stages —");
    const { kind, issues } = await validateConfigFile(FILE, { text, workersDir: WORKERS });
    expect(kind).toBe("pipeline");
    expect(issues).toEqual([]);
    const tmp = await mkdtemp(path.join(tmpdir(), "loom-scaffold-"));
    try {
      const file = path.join(tmp, "scaffolded.yaml");
      await writeFile(file, text);
      const pipeline = await loadPipelineConfig(file);
      expect(explainLevels(pipelineLevels(pipeline.stages))).toEqual([
        "Level 0: extract",
        "Level 1: classify + summarize",
      ]);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });

  it("a stage naming an unknown worker is refused with the list of workers", async () => {
    const workers = await readWorkerCatalog(WORKERS);
    const stages = stagesFromFlags({ stage: ["x=no_such_worker"], map: [] }, workers);
    expect(() => pipelineYaml({ name: "p", stages }, { file: FILE, workers })).toThrow(
      /pipeline_stages\[0\] 'x': unknown worker 'no_such_worker' \(workers: classifier, doc_classifier, /,
    );
  });

  it("a mapping that names a field the producer's output_schema lacks is refused", async () => {
    const workers = await readWorkerCatalog(WORKERS);
    const stages = stagesFromFlags(
      {
        stage: ["extract=doc_extractor", "classify=doc_classifier"],
        map: ["classify.text_preview=extract.output.txt"],
      },
      workers,
    );
    expect(() => pipelineYaml({ name: "p", stages }, { file: FILE, workers })).toThrow(
      /pipeline_stages\[1\]\.input_mapping\.text_preview: stage 'extract' \(doc_extractor\) has no output field 'txt' \(outputs: .*text_preview/,
    );
  });

  it("a mapping to an input the consumer lacks, or from a later stage, is refused", async () => {
    const workers = await readWorkerCatalog(WORKERS);
    const bad = stagesFromFlags(
      {
        stage: ["extract=doc_extractor", "classify=doc_classifier"],
        map: ["classify.nope=extract.output.text_preview"],
      },
      workers,
    );
    expect(() => pipelineYaml({ name: "p", stages: bad }, { file: FILE, workers })).toThrow(
      "worker 'doc_classifier' has no input field 'nope'",
    );
    const later = stagesFromFlags(
      {
        stage: ["classify=doc_classifier", "extract=doc_extractor"],
        map: ["classify.text_preview=extract.output.text_preview"],
      },
      workers,
    );
    expect(() => pipelineYaml({ name: "p", stages: later }, { file: FILE, workers })).toThrow(
      "reads from unknown stage 'extract' (earlier stages: none; or goal.context.<field>)",
    );
    expect(() =>
      stagesFromFlags({ stage: ["a=doc_extractor"], map: ["b.x=goal.context.x"] }, workers),
    ).toThrow("--map 'b.x=goal.context.x': unknown stage 'b' (stages: a)");
  });

  it("bad pipeline and stage names are refused", async () => {
    const workers = await readWorkerCatalog(WORKERS);
    const stages = [parseStageSpec("extract=doc_extractor")];
    expect(() => pipelineYaml({ name: "My-Pipe", stages }, { file: FILE, workers })).toThrow(
      "pipeline name 'My-Pipe' must be lowercase letters",
    );
    const twice = [parseStageSpec("a=doc_extractor"), parseStageSpec("a=doc_extractor")];
    expect(() => pipelineYaml({ name: "p", stages: twice }, { file: FILE, workers })).toThrow(
      "stage name 'a' is taken",
    );
  });

  it("specs parse; the mapping choices are goal.context.<field> then earlier outputs", async () => {
    expect(parseStageSpec("extract=doc_extractor@local")).toEqual({
      name: "extract",
      workerType: "doc_extractor",
      tier: "local",
      inputMapping: {},
    });
    expect(() => parseStageSpec("extract=doc_extractor@huge")).toThrow("tier 'huge' is not one of");
    expect(parseMapSpec("classify.text=extract.output.text")).toEqual({
      stage: "classify",
      field: "text",
      source: "extract.output.text",
    });
    const workers = await readWorkerCatalog(WORKERS);
    const choices = mappingChoices("text", [parseStageSpec("extract=doc_extractor")], workers);
    expect(choices[0]).toBe("goal.context.text");
    expect(choices).toContain("extract.output.text_preview");
  });
});
