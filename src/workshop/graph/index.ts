/** Pipeline graphs for the Workshop: the model with its static checks, a dagre layout, and SVG. */
export { type LaidOutGraph, layoutGraph } from "./layout.js";
export {
  buildPipelineGraph,
  type GraphEdge,
  type GraphProblem,
  type GraphStage,
  type PipelineGraph,
  type WorkerSchemas,
} from "./model.js";
export { type RenderGraphOptions, renderGraphSvg, type StageState } from "./svg.js";
