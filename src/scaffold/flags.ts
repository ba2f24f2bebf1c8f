/** The flags of `loom new worker` and `loom new pipeline`, as commander parses them. */

/** Flags both commands take. */
export interface NewFlags {
  /** @default "configs" */
  configs: string;
  out?: string;
  force?: boolean;
  nonInteractive?: boolean;
  name?: string;
  description?: string;
  timeout?: string;
}

/** Flags of `loom new worker`. */
export interface NewWorkerFlags extends NewFlags {
  kind?: string;
  tier?: string;
  systemPrompt?: string;
  systemPromptFile?: string;
  backend?: string;
  input: string[];
  output: string[];
}

/** Flags of `loom new pipeline`. */
export interface NewPipelineFlags extends NewFlags {
  workers?: string;
  stage: string[];
  map: string[];
}
