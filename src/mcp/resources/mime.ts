/**
 * MIME types of workspace files, by extension: a short table of the types a workflow's workspace
 * holds (documents, data, images, archives). Anything else is `application/octet-stream` and is
 * served as a base64 blob.
 */
import path from "node:path";

/** Served when the extension is unknown. */
export const DEFAULT_MIME_TYPE = "application/octet-stream";

const TEXT_TYPES: Record<string, string> = {
  ".txt": "text/plain",
  ".log": "text/plain",
  ".md": "text/markdown",
  ".markdown": "text/markdown",
  ".csv": "text/csv",
  ".tsv": "text/tab-separated-values",
  ".html": "text/html",
  ".htm": "text/html",
  ".css": "text/css",
  ".xml": "application/xml",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".jsonl": "application/jsonl",
  ".ndjson": "application/x-ndjson",
  ".yaml": "application/yaml",
  ".yml": "application/yaml",
  ".toml": "application/toml",
  ".js": "text/javascript",
  ".mjs": "text/javascript",
  ".ts": "text/x-typescript",
  ".py": "text/x-python",
  ".sql": "application/sql",
  ".sh": "application/x-sh",
  ".ini": "text/plain",
  ".rst": "text/x-rst",
};

const BINARY_TYPES: Record<string, string> = {
  ".pdf": "application/pdf",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".ico": "image/x-icon",
  ".zip": "application/zip",
  ".gz": "application/gzip",
  ".tar": "application/x-tar",
  ".parquet": "application/vnd.apache.parquet",
  ".duckdb": "application/octet-stream",
  ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
  ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
  ".mp3": "audio/mpeg",
  ".wav": "audio/wav",
  ".mp4": "video/mp4",
};

/**
 * The MIME type of a file name, from its extension (case-insensitive).
 *
 * @example mimeTypeOf("reports/q1.pdf") // "application/pdf"
 */
export function mimeTypeOf(file: string): string {
  const ext = path.extname(file).toLowerCase();
  return TEXT_TYPES[ext] ?? BINARY_TYPES[ext] ?? DEFAULT_MIME_TYPE;
}

/** True when files of this MIME type are served as text (`text`), false for a base64 `blob`. */
export function isTextMimeType(mimeType: string): boolean {
  return mimeType.startsWith("text/") || Object.values(TEXT_TYPES).includes(mimeType);
}
