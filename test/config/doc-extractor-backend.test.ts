/**
 * configs/backends/doc-extractor.js, the processor behind configs/workers/doc_extractor.yaml:
 * loaded the way Loom loads backends, it reads a workspace file and returns what the
 * analysis pipeline maps (text_preview, page_count), and refuses paths outside the workspace.
 */
import { symlink } from "node:fs/promises";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadWorkerConfig } from "../../src/config/index.js";
import { findSchemaProblems } from "../../src/config/json-schema-check.js";
import { loadModuleRef } from "../../src/config/module-ref.js";
import { ROOT, tempDir } from "./helpers.js";

interface Backend {
  process(
    payload: Record<string, unknown>,
    config: Record<string, unknown>,
  ): Promise<{ output: Record<string, unknown>; model_used: string }>;
}

async function backendFor(options: Record<string, unknown>): Promise<Backend> {
  const worker = await loadWorkerConfig(path.join(ROOT, "configs/workers/doc_extractor.yaml"));
  const Cls = (await loadModuleRef(worker.processingBackend ?? "", worker.sourcePath)) as new (
    o: Record<string, unknown>,
  ) => Backend;
  return new Cls({ ...worker.backendConfig, ...options });
}

describe("doc_extractor backend", () => {
  it("returns a preview and a page count that match doc_extractor's output schema", async () => {
    const worker = await loadWorkerConfig(path.join(ROOT, "configs/workers/doc_extractor.yaml"));
    const backend = await backendFor({});
    const result = await backend.process(
      { file_ref: "sample_report.md" },
      { workspace_dir: worker.workspaceDir },
    );
    expect(result.output.text_preview).toMatch(/^# Quarterly Operations Report/);
    expect(result.output.page_count).toBe(1);
    expect(Object.keys(result.output).sort()).toEqual(["page_count", "text_preview"]);
    expect(findSchemaProblems(worker.outputSchema)).toEqual([]);
  });

  it("counts pages by form feeds, else by length, and cuts the preview", async () => {
    const tmp = await tempDir();
    try {
      await tmp.write("paged.txt", "one\fTwo\fthree");
      await tmp.write("long.md", "x".repeat(7000));
      const backend = await backendFor({ preview_chars: 10 });
      const paged = await backend.process({ file_ref: "paged.txt" }, { workspace_dir: tmp.dir });
      expect(paged.output.page_count).toBe(3);
      const long = await backend.process({ file_ref: "long.md" }, { workspace_dir: tmp.dir });
      expect(long.output).toEqual({ text_preview: "x".repeat(10), page_count: 3 });
    } finally {
      await tmp.cleanup();
    }
  });

  it("refuses file refs outside the workspace and non-text files", async () => {
    const backend = await backendFor({});
    const workspace = path.join(ROOT, "configs/workspace");
    await expect(
      backend.process({ file_ref: "../../package.json" }, { workspace_dir: workspace }),
    ).rejects.toThrow(/refused: '\.\.' segments/);
    await expect(backend.process({ file_ref: "scan.pdf" }, { workspace_dir: workspace })).rejects.toThrow(
      /reads text files/,
    );
  });

  it("refuses a symlink that leads out of the workspace, as resources/read does", async () => {
    const tmp = await tempDir();
    try {
      await tmp.write("outside/secret.txt", "root:x:0:0");
      await tmp.write("ws/keep.md", "kept");
      await symlink(path.join(tmp.dir, "outside/secret.txt"), path.join(tmp.dir, "ws/passwd.txt"));
      const backend = await backendFor({});
      const workspace = path.join(tmp.dir, "ws");
      const refused = backend.process({ file_ref: "passwd.txt" }, { workspace_dir: workspace });
      await expect(refused).rejects.toThrow(/refused: a symlink leads outside the workspace/);
      await expect(refused).rejects.not.toThrow(tmp.dir);
    } finally {
      await tmp.cleanup();
    }
  });

  it("reads a legitimate file whose name starts with '..'", async () => {
    const tmp = await tempDir();
    try {
      await tmp.write("..notes.md", "dot dot notes");
      const backend = await backendFor({});
      const result = await backend.process({ file_ref: "..notes.md" }, { workspace_dir: tmp.dir });
      expect(result.output).toEqual({ text_preview: "dot dot notes", page_count: 1 });
    } finally {
      await tmp.cleanup();
    }
  });
});
