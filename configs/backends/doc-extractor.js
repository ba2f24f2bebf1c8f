// Processor backend of configs/workers/doc_extractor.yaml (guide Part 2): reads a text or
// Markdown file from the worker's workspace and returns a preview and a page count.
//
// Plain, self-contained ESM: it imports nothing from Loom, so it loads the same from a checkout,
// an installed package or a worker thread. Loom constructs it with the worker's `backend_config`
// and calls `process(payload, config)`, where `config` is the worker config as snake_case JSON.
import { readFile } from "node:fs/promises";
import path from "node:path";

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
    const file = resolveInside(root, String(payload.file_ref ?? ""));
    const extension = path.extname(file).toLowerCase();
    if (!TEXT_EXTENSIONS.has(extension)) {
      throw new Error(`doc_extractor reads text files (${[...TEXT_EXTENSIONS].join(", ")}), not '${extension || "no extension"}'`);
    }
    const text = (await readFile(file, "utf8")).replace(/\r\n/g, "\n");
    // A form feed marks a page break in text exports; otherwise estimate from length.
    const pages = text.includes("\f") ? text.split("\f").length : Math.ceil(text.length / this.charsPerPage);
    return {
      output: { text_preview: text.slice(0, this.previewChars).trim(), page_count: Math.max(1, pages) },
      model_used: "doc-extractor-text-v1",
    };
  }
}

/** Resolves `ref` inside `root`, refusing paths that leave it (`../../etc/passwd`). */
function resolveInside(root, ref) {
  if (ref === "") throw new Error("file_ref is empty");
  const base = path.resolve(root);
  const target = path.resolve(base, ref);
  const relative = path.relative(base, target);
  if (relative === "" || relative.startsWith("..") || path.isAbsolute(relative)) {
    throw new Error(`file_ref '${ref}' is outside the workspace ${base}`);
  }
  return target;
}

function positive(value, fallback) {
  return typeof value === "number" && value > 0 ? value : fallback;
}
