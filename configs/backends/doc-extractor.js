// Processor backend of configs/workers/doc_extractor.yaml (guide Part 2): reads a text or
// Markdown file from the worker's workspace and returns a preview and a page count.
//
// Plain ESM. File access goes through Loom's WorkspaceManager (never a path check of its own), so
// `..`, absolute paths and symlinks out of the workspace are refused exactly as `resources/read`
// refuses them. `loom-ai/workspace` is the package importing itself by name (Node's package
// self-reference through package.json "exports"), so it loads the same from a checkout, an
// installed package or a worker thread. Loom constructs it with the worker's `backend_config` and
// calls `process(payload, config)`, where `config` is the worker config as snake_case JSON.
import path from "node:path";
import { WorkspaceManager } from "loom-ai/workspace";

const TEXT_EXTENSIONS = new Set([".md", ".markdown", ".txt", ".text", ".csv", ".json", ".yaml", ".yml"]);

export class DocExtractorBackend {
  /** @param {{ preview_chars?: number, chars_per_page?: number, workspace_dir?: string }} [options] */
  constructor(options = {}) {
    this.previewChars = positive(options.preview_chars, 4000);
    this.charsPerPage = positive(options.chars_per_page, 3000);
    this.workspaceDir = options.workspace_dir;
  }

  /**
   * @param {{ file_ref: string }} payload
   * @param {{ workspace_dir?: string }} config
   */
  async process(payload, config = {}) {
    const root = config.workspace_dir ?? this.workspaceDir;
    if (typeof root !== "string" || root === "") {
      throw new Error("doc_extractor needs workspace_dir in its worker config");
    }
    const ref = String(payload.file_ref ?? "");
    if (ref === "") throw new Error("file_ref is empty");
    const extension = path.extname(ref).toLowerCase();
    if (!TEXT_EXTENSIONS.has(extension)) {
      throw new Error(`doc_extractor reads text files (${[...TEXT_EXTENSIONS].join(", ")}), not '${extension || "no extension"}'`);
    }
    const text = (await new WorkspaceManager(root).readText(ref)).replace(/\r\n/g, "\n");
    // A form feed marks a page break in text exports; otherwise estimate from length.
    const pages = text.includes("\f") ? text.split("\f").length : Math.ceil(text.length / this.charsPerPage);
    return {
      output: { text_preview: text.slice(0, this.previewChars).trim(), page_count: Math.max(1, pages) },
      model_used: "doc-extractor-text-v1",
    };
  }
}

function positive(value, fallback) {
  return typeof value === "number" && value > 0 ? value : fallback;
}
