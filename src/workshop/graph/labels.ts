/**
 * The text drawn on stages and edges, and its size, shared by the layout (which reserves the
 * space) and the SVG renderer (which draws it). Text is monospace so its width is known on the
 * server without measuring fonts.
 */
import type { GraphEdge, GraphStage, PipelineGraph } from "./model.js";

/** Font size of all graph text. */
export const FONT_SIZE_PX = 12;
/** Advance of one monospace character at {@link FONT_SIZE_PX} (0.6 em, with a little slack). */
export const CHAR_WIDTH_PX = 7.4;
/** Longest text drawn before it is cut with "…" (the full text stays in a `<title>`). */
export const MAX_LABEL_CHARS = 48;

const STAGE_PADDING_PX = 12;
const STAGE_MIN_WIDTH_PX = 96;
/** Height of a stage box: two lines of text and padding. */
export const STAGE_HEIGHT_PX = 48;
/** Height reserved for an edge label. */
export const EDGE_LABEL_HEIGHT_PX = 16;

/** `text`, cut to {@link MAX_LABEL_CHARS} with "…". */
export function clip(text: string): string {
  const chars = [...text];
  return chars.length > MAX_LABEL_CHARS ? `${chars.slice(0, MAX_LABEL_CHARS - 1).join("")}…` : text;
}

/** Width of `text` once clipped. */
export function textWidth(text: string): number {
  return [...clip(text)].length * CHAR_WIDTH_PX;
}

/** The two lines of a stage box: its name, then its worker_type and tier. */
export function stageLines(stage: GraphStage): [string, string] {
  const worker = stage.workerType === "" ? "(no worker_type)" : stage.workerType;
  return [stage.name, stage.tier !== undefined ? `${worker} · ${stage.tier}` : worker];
}

/** Width and height of a stage box. */
export function stageSize(stage: GraphStage): { width: number; height: number } {
  const [name, meta] = stageLines(stage);
  const text = Math.max(textWidth(name), textWidth(meta));
  return {
    width: Math.max(STAGE_MIN_WIDTH_PX, Math.ceil(text + 2 * STAGE_PADDING_PX)),
    height: STAGE_HEIGHT_PX,
  };
}

/** An edge's label: the consumer fields it feeds, and for a condition edge the condition. */
export function edgeLabel(graph: PipelineGraph, edge: GraphEdge): string {
  const parts = edge.fields.length > 0 ? [edge.fields.join(", ")] : [];
  if (edge.kind === "condition") {
    const condition = graph.stages.find((s) => s.name === edge.to)?.condition;
    if (condition !== undefined) parts.push(`if ${condition.trim()}`);
  }
  return parts.join(" · ");
}
