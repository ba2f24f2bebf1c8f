/**
 * A parsed YAML config file that remembers where every value came from, so an issue found in the
 * data can be reported at its `file:line:col` with its YAML path.
 */
import { readFile } from "node:fs/promises";
import type { Document, LineCounter, Node } from "yaml";
import type { ConfigIssue } from "./issues.js";
import { yamlLib } from "./yaml-lib.js";

/** A path into the parsed data: object keys and array indices. */
export type DataPath = readonly (string | number)[];

/** A YAML file parsed with positions. `data` is the plain JS value (undefined for an empty file). */
export interface YamlSource {
  file: string;
  text: string;
  data: unknown;
  /** YAML syntax errors (the data is not checked further when there are any). */
  syntaxIssues: ConfigIssue[];
  /** Line and column (1-based) of the value at `path`, or of its key when `key` is set. */
  position(path: DataPath, options?: { key?: boolean }): { line: number; column: number };
}

/** Formats a data path the way issues show it: `pipeline_stages[2].input_mapping.text`. */
export function formatPath(path: DataPath): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (/^[\w-]+$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Reads and parses a YAML file. Throws only when the file cannot be read. */
export async function readYamlSource(file: string): Promise<YamlSource> {
  return parseYamlSource(file, await readFile(file, "utf8"));
}

/** The parse of one file's text, with what positions need. */
export interface ParsedText {
  text: string;
  doc: Document.Parsed;
  lineCounter: LineCounter;
}

// The last parse of each file. Loading an MCP gateway reads each worker file more than once (to
// validate the gateway config, then to build its tools); parsing is the expensive part and depends
// on the text only, so the same text is parsed once. Each call still gets its own plain data.
const PARSED_LIMIT = 500;
const parsed = new Map<string, ParsedText>();

function parseText(file: string, text: string): ParsedText {
  const known = parsed.get(file);
  if (known && known.text === text) return known;
  const entry = parseFresh(text);
  if (parsed.size >= PARSED_LIMIT) parsed.clear();
  parsed.set(file, entry);
  return entry;
}

/** Parses `text` without consulting the per-file cache. */
export function parseFresh(text: string): ParsedText {
  const { LineCounter, parseDocument } = yamlLib();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  return { text, doc, lineCounter };
}

/** Parses YAML text that came from `file`, keeping source positions. */
export function parseYamlSource(file: string, text: string): YamlSource {
  return sourceFrom(file, parseText(file, text));
}

/** A file's text whose data came from the parse cache (`ParseCache`): parsed with positions only if asked. */
export interface CachedText {
  text: string;
  /** The data, as JSON. */
  json: string;
}

/** A source over a parse: positions from the shared parse, fresh plain data for each caller. */
export function sourceFrom(file: string, parsed: ParsedText | CachedText): YamlSource {
  if ("json" in parsed) return cachedSource(file, parsed);
  const { text, doc, lineCounter } = parsed;
  const { isMap, isScalar, isSeq } = yamlLib();
  const at = (offset: number) => {
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, column: pos.col };
  };
  const syntaxIssues: ConfigIssue[] = doc.errors.map((e) => {
    const { line, column } = at(e.pos[0]);
    return { file, line, column, path: "", message: firstLine(e.message), severity: "error" };
  });
  const position = (path: DataPath, options: { key?: boolean } = {}) => {
    let node: unknown = doc.contents;
    let best: number = offsetOf(node) ?? firstContentOffset(text);
    for (const [index, segment] of path.entries()) {
      const last = index === path.length - 1;
      if (isMap(node)) {
        const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === segment);
        if (!pair) break;
        const keyOffset = offsetOf(pair.key);
        if (last && options.key && keyOffset !== undefined) return at(keyOffset);
        node = pair.value;
        best = offsetOf(node) ?? keyOffset ?? best;
      } else if (isSeq(node) && typeof segment === "number") {
        node = node.items[segment];
        if (node === undefined) break;
        best = offsetOf(node) ?? best;
      } else break;
    }
    return at(best);
  };
  const data = syntaxIssues.length > 0 ? undefined : doc.toJS({ maxAliasCount: 100 });
  return { file, text, data, syntaxIssues, position };
}

/** A text that parsed without errors before: its data from JSON, its positions from a parse made on the first lookup. */
function cachedSource(file: string, { text, json }: CachedText): YamlSource {
  let located: YamlSource | undefined;
  return {
    file,
    text,
    data: JSON.parse(json),
    syntaxIssues: [],
    position: (path, options) => {
      located ??= sourceFrom(file, parseFresh(text));
      return located.position(path, options);
    },
  };
}

function offsetOf(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}

/** Offset of the first line that is not blank or a comment (where "the whole file" starts). */
function firstContentOffset(text: string): number {
  const match = /^(?![ \t]*(?:#|$))/m.exec(text);
  return match ? match.index : 0;
}

function firstLine(message: string): string {
  return message.split("\n", 1)[0] ?? message;
}
