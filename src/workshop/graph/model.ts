/**
 * The pipeline graph the Workshop's pipeline editor draws (issue #16): stages as nodes, the
 * data and ordering between them as edges, and the static problems found on the way.
 * Plain data, so a page can render it on the server or send it to the browser as JSON.
 */

/** How bad a problem is: an `error` makes a run fail or a stage never start; a `warning` may. */
export type GraphProblemSeverity = "error" | "warning";

/** One static finding, placed on the stage, edge and input field it is about. */
export interface GraphProblem {
  severity: GraphProblemSeverity;
  /** What is wrong, where, and what would be right. */
  message: string;
  /** The stage the problem is about (the consumer, for a problem on an edge). */
  stage?: string;
  /** The edge the problem is drawn on, when it is about data or ordering between two stages. */
  edge?: { from: string; to: string };
  /** The consumer's input field (an `input_mapping` key), or `condition` / `depends_on`. */
  field?: string;
}

/** A pipeline stage, camelCased from its YAML, with its level in the dependency graph. */
export interface GraphStage {
  name: string;
  workerType: string;
  tier?: string;
  inputMapping: Record<string, string>;
  condition?: string;
  dependsOn?: string[];
  timeoutSeconds?: number;
  /** 0 for stages that only read the goal, n+1 for stages waiting on level n; -1 in a cycle. */
  level: number;
}

/**
 * Why an edge exists: `mapping` (the consumer reads the producer's output), `depends_on` (the
 * consumer lists the producer in `depends_on`), `condition` (the consumer's condition reads the
 * producer's output; it may read mapped fields too).
 */
export type GraphEdgeKind = "mapping" | "depends_on" | "condition";

/** One producer → consumer edge. There is at most one edge per pair of stages. */
export interface GraphEdge {
  from: string;
  to: string;
  kind: GraphEdgeKind;
  /** Consumer input fields fed by this producer, in mapping order, e.g. ["text_preview", "page_count"]. */
  fields: string[];
  /** The problems drawn on this edge (also listed in {@link PipelineGraph.problems}). */
  problems: GraphProblem[];
}

/** A pipeline as a checked dependency graph. */
export interface PipelineGraph {
  name: string;
  /** Stages in config order; a stage with a missing or duplicate name is left out (and reported). */
  stages: GraphStage[];
  /** Edges in consumer order, then in the order the consumer first refers to the producer. */
  edges: GraphEdge[];
  /** Stage names by level (stages in a cycle are in none), config order within a level. */
  levels: string[][];
  /** Every problem, including those on edges and stages, each once. */
  problems: GraphProblem[];
}

/** The contract of one worker, as the graph needs it. */
export interface WorkerSchemas {
  inputSchema: Record<string, unknown>;
  outputSchema: Record<string, unknown>;
}

/** The run states a stage can be drawn in (the values of a goal timeline's stage status). */
export const StageState = {
  pending: "pending",
  running: "running",
  completed: "completed",
  failed: "failed",
  skipped: "skipped",
  cancelled: "cancelled",
} as const;
export type StageState = (typeof StageState)[keyof typeof StageState];
