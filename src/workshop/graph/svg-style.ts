/**
 * The stylesheet inside every rendered graph. Selectors start at the svg's own class, because a
 * `<style>` in an SVG inlined into HTML applies to the whole page.
 */
import { FONT_SIZE_PX } from "./labels.js";

/** Class on the root `<svg>` of a rendered graph. */
export const ROOT_CLASS = "loom-pipeline-graph";
/** Marker ids (same content in every graph, so two graphs on a page may share them). */
export const ARROW_ID = "loom-graph-arrow";
export const ARROW_PROBLEM_ID = "loom-graph-arrow-problem";

const r = `.${ROOT_CLASS}`;

export const GRAPH_CSS = [
  `${r}{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:${FONT_SIZE_PX}px}`,
  `${r} .stage rect{fill:#fff;stroke:#5b6b7f;stroke-width:1.5}`,
  `${r} .stage .name{font-weight:bold;fill:#1d2733}`,
  `${r} .stage .meta{fill:#5b6b7f}`,
  `${r} .stage.conditional rect{stroke-dasharray:6 3}`,
  `${r} .stage.selected rect{stroke:#1f6feb;stroke-width:3}`,
  `${r} .stage.has-problem rect,${r} .stage.in-cycle rect{stroke:#d1242f;fill:#fff5f5}`,
  `${r} .stage.state-pending rect{fill:#f6f8fa}`,
  `${r} .stage.state-running rect{fill:#ddf4ff;stroke:#1f6feb}`,
  `${r} .stage.state-completed rect{fill:#dafbe1;stroke:#1a7f37}`,
  `${r} .stage.state-failed rect{fill:#ffebe9;stroke:#d1242f}`,
  `${r} .stage.state-skipped rect{fill:#f6f8fa;stroke:#8c959f;stroke-dasharray:2 3}`,
  `${r} .stage.state-cancelled rect{fill:#fff8c5;stroke:#9a6700}`,
  `${r} .edge path{fill:none;stroke:#5b6b7f;stroke-width:1.5}`,
  `${r} .edge text{fill:#3d4a5a;font-size:${FONT_SIZE_PX - 1}px;paint-order:stroke;stroke:#fff;stroke-width:4px;stroke-linejoin:round}`,
  `${r} .edge.depends-on path{stroke-dasharray:7 4}`,
  `${r} .edge.condition path{stroke-dasharray:1.5 3}`,
  `${r} .edge.has-problem path{stroke:#d1242f}`,
  `${r} .edge.has-problem text{fill:#d1242f}`,
].join("\n");
