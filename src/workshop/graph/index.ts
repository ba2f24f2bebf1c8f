/**
 * The Workshop's pipeline graph (issue #16): check a pipeline config as a dependency graph, lay
 * it out and render it as SVG, all on the server and without I/O.
 *
 * @example
 * const graph = buildPipelineGraph(parse(yamlText), workers);
 * const svg = renderGraphSvg(graph, layoutGraph(graph), { selected: "classify" });
 */
export { buildPipelineGraph } from "./build.js";
export { type LaidOutGraph, layoutGraph, type Point } from "./layout.js";
export type {
  GraphEdge,
  GraphEdgeKind,
  GraphProblem,
  GraphProblemSeverity,
  GraphStage,
  PipelineGraph,
  WorkerSchemas,
} from "./model.js";
export { StageState } from "./model.js";
export { type RenderGraphOptions, renderGraphSvg } from "./svg.js";
