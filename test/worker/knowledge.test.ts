import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { WorkerConfig } from "../../src/config/types.js";
import { LoomError } from "../../src/errors.js";
import { buildKnowledgeContext } from "../../src/worker/knowledge.js";
import { LEGAL_TERMS, writeLegalKnowledge } from "../fixtures/legal-knowledge.js";
import { workerConfig } from "../fixtures/worker-config.js";

let project: string;
let yamlPath: string;

beforeEach(async () => {
  project = await mkdtemp(path.join(tmpdir(), "loom-knowledge-"));
  await writeLegalKnowledge(project);
  yamlPath = path.join(project, "configs", "workers", "legal_summarizer.yaml");
});

afterEach(async () => {
  await rm(project, { recursive: true, force: true });
});

function worker(overrides: Partial<WorkerConfig> = {}): WorkerConfig {
  return workerConfig({
    name: "legal_summarizer",
    systemPrompt: "You are a legal document summarizer.",
    sourcePath: yamlPath,
    ...overrides,
  });
}

const knowledgeFile = (name: string) => path.join(project, "configs", "knowledge", name);

describe("buildKnowledgeContext: knowledge_sources", () => {
  it("knowledge: a worker without knowledge gets ''", async () => {
    expect(await buildKnowledgeContext(worker())).toBe("");
  });

  it("knowledge: a reference source is included whole under a header naming the file", async () => {
    const text = await buildKnowledgeContext(
      worker({ knowledgeSources: [{ path: knowledgeFile("legal_terms.md"), injectAs: "reference" }] }),
    );
    expect(text.startsWith("## Reference: legal_terms.md\n\n")).toBe(true);
    expect(text).toContain(LEGAL_TERMS.trim());
  });

  it("knowledge: few_shot YAML becomes numbered input/output examples", async () => {
    const text = await buildKnowledgeContext(
      worker({
        knowledgeSources: [{ path: knowledgeFile("classification_examples.yaml"), injectAs: "few_shot" }],
      }),
    );
    expect(text).toContain(
      "Example 1:\nInput: Contract between Acme Corp and Beta Inc for software development\nOutput: contract",
    );
    expect(text).toContain(
      "Example 2:\nInput: Minutes from the Q3 board meeting held on September 15\nOutput: meeting_minutes",
    );
    expect(text.indexOf("Example 1:")).toBeLessThan(text.indexOf("Example 2:"));
  });

  it("knowledge: few_shot JSONL works too, and object values are written as JSON", async () => {
    await writeFile(
      knowledgeFile("people.jsonl"),
      '{"input": "Ann met Bob", "output": {"people": ["Ann", "Bob"]}}\n\n{"input": "nobody", "output": {"people": []}}\n',
    );
    const text = await buildKnowledgeContext(
      worker({ knowledgeSources: [{ path: knowledgeFile("people.jsonl"), injectAs: "few_shot" }] }),
    );
    expect(text).toContain('Example 1:\nInput: Ann met Bob\nOutput: {"people":["Ann","Bob"]}');
    expect(text).toContain('Example 2:\nInput: nobody\nOutput: {"people":[]}');
  });

  it("knowledge: sources appear in config order; relative paths are taken from the config file", async () => {
    const text = await buildKnowledgeContext(
      worker({
        knowledgeSources: [
          { path: "../knowledge/classification_examples.yaml", injectAs: "few_shot" },
          { path: "../knowledge/legal_terms.md", injectAs: "reference" },
        ],
      }),
    );
    expect(text.indexOf("Example 1:")).toBeLessThan(text.indexOf("## Reference: legal_terms.md"));
  });

  it("knowledge: the guide's project-root path (configs/knowledge/…) is found from configs/workers/, as the loader finds it", async () => {
    const text = await buildKnowledgeContext(
      worker({ knowledgeSources: [{ path: "configs/knowledge/legal_terms.md", injectAs: "reference" }] }),
    );
    expect(text).toContain(LEGAL_TERMS.trim());
  });

  it("knowledge: a few_shot entry without output is a config_error naming the file and example", async () => {
    await writeFile(knowledgeFile("bad.yaml"), "- input: a\n  output: b\n- input: c\n");
    const error = await buildKnowledgeContext(
      worker({ knowledgeSources: [{ path: knowledgeFile("bad.yaml"), injectAs: "few_shot" }] }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoomError);
    expect((error as LoomError).code).toBe("config_error");
    expect((error as LoomError).message).toContain("bad.yaml");
    expect((error as LoomError).message).toContain("example 2");
  });

  it("knowledge: a missing source file is a config_error naming it", async () => {
    const error = await buildKnowledgeContext(
      worker({ knowledgeSources: [{ path: knowledgeFile("missing.md"), injectAs: "reference" }] }),
    ).catch((e: unknown) => e);
    expect((error as LoomError).code).toBe("config_error");
    expect((error as LoomError).message).toContain("missing.md");
  });
});

describe("buildKnowledgeContext: folder silos and budget", () => {
  async function rulesFolder(): Promise<string> {
    const rules = knowledgeFile("rules");
    await mkdir(path.join(rules, "sub", "__pycache__"), { recursive: true });
    await writeFile(path.join(rules, "b_rule.md"), "Rule B.");
    await writeFile(path.join(rules, "a_rule.md"), "Rule A.");
    await writeFile(path.join(rules, "sub", "c_rule.txt"), "Rule C.");
    await writeFile(path.join(rules, "sub", "scratch.tmp"), "TEMPORARY");
    await writeFile(path.join(rules, "sub", "__pycache__", "x.md"), "CACHED");
    await writeFile(path.join(rules, "compiled.pyc"), "PYC");
    await writeFile(path.join(rules, "image.bin"), Buffer.from([0x89, 0x50, 0x00, 0x01, 0x02]));
    await writeFile(path.join(rules, ".siloignore"), "# .siloignore\n*.pyc\n__pycache__/\n*.tmp\n");
    return rules;
  }

  it("knowledge: a read silo concatenates its files recursively, sorted, honouring .siloignore", async () => {
    const rules = await rulesFolder();
    const text = await buildKnowledgeContext(
      worker({ knowledgeSilos: [{ name: "domain_rules", type: "folder", path: rules, mode: "read" }] }),
    );
    expect(text).toContain("## Knowledge silo: domain_rules");
    expect(text).toContain("### a_rule.md\n\nRule A.");
    expect(text).toContain("### sub/c_rule.txt\n\nRule C.");
    const order = ["a_rule.md", "b_rule.md", "sub/c_rule.txt"].map((f) => text.indexOf(`### ${f}`));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    for (const excluded of ["TEMPORARY", "CACHED", "PYC", "image.bin", ".siloignore", "silo_updates"]) {
      expect(text).not.toContain(excluded);
    }
  });

  it("knowledge: a .siloignore in a subfolder applies below it and can re-include files", async () => {
    const rules = await rulesFolder();
    await writeFile(path.join(rules, "sub", ".siloignore"), "c_rule.txt\n!scratch.tmp\n");
    const text = await buildKnowledgeContext(
      worker({ knowledgeSilos: [{ name: "domain_rules", type: "folder", path: rules, mode: "read" }] }),
    );
    expect(text).not.toContain("Rule C.");
    expect(text).toContain("TEMPORARY");
    expect(text).toContain("Rule A.");
  });

  it("knowledge: a silo skips symlinks, so a link cannot pull in files from outside", async () => {
    const rules = await rulesFolder();
    await writeFile(path.join(project, "private.md"), "PRIVATE");
    await symlink(path.join(project, "private.md"), path.join(rules, "linked.md"));
    const text = await buildKnowledgeContext(
      worker({ knowledgeSilos: [{ name: "domain_rules", type: "folder", path: rules, mode: "read" }] }),
    );
    expect(text).not.toContain("PRIVATE");
  });

  it("knowledge: a readwrite silo explains silo_updates; a missing folder starts empty", async () => {
    const text = await buildKnowledgeContext(
      worker({
        knowledgeSilos: [
          { name: "learned_patterns", type: "folder", path: knowledgeFile("patterns"), mode: "readwrite" },
        ],
      }),
    );
    expect(text).toContain("## Knowledge silo: learned_patterns (readwrite)");
    expect(text).toContain('"silo_updates"');
    expect(text).toContain("no files yet");
  });

  it("knowledge: a missing read silo folder is a config_error naming the folder", async () => {
    const error = await buildKnowledgeContext(
      worker({
        knowledgeSilos: [{ name: "rules", type: "folder", path: knowledgeFile("nowhere"), mode: "read" }],
      }),
    ).catch((e: unknown) => e);
    expect((error as LoomError).code).toBe("config_error");
    expect((error as LoomError).message).toContain(knowledgeFile("nowhere"));
  });

  it("knowledge: tool silos contribute no text", async () => {
    const config = worker({
      knowledgeSilos: [{ name: "catalog", type: "tool", provider: "./tools.js#Catalog", config: {} }],
    });
    expect(await buildKnowledgeContext(config)).toBe("");
  });

  it("knowledge: knowledge over max_input_tokens is a config_error giving size, budget and a fix", async () => {
    await writeFile(knowledgeFile("huge.md"), "word ".repeat(2000));
    const config = worker({
      maxInputTokens: 1000,
      knowledgeSources: [{ path: knowledgeFile("huge.md"), injectAs: "reference" }],
    });
    const error = (await buildKnowledgeContext(config).catch((e: unknown) => e)) as LoomError;
    expect(error.code).toBe("config_error");
    expect(error.message).toMatch(/~25\d\d tokens/);
    expect(error.message).toContain("max_input_tokens 1000");
    expect(error.message).toContain("huge.md");
    expect(error.message).toContain("Raise max_input_tokens");
    expect(await buildKnowledgeContext({ ...config, maxInputTokens: 3000 })).toContain(
      "## Reference: huge.md",
    );
  });
});
