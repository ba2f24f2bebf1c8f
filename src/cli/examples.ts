/** One example per command, shown at the end of its `--help`. */
import type { Command } from "commander";

const EXAMPLES: Record<string, string> = {
  validate: "loom validate --all\n  loom validate --explain configs/orchestrators/analysis_pipeline.yaml",
  run: 'loom run worker --config configs/workers/doc_extractor.yaml --input \'{"file_ref": "sample_report.md"}\'',
  mcp: "loom mcp --config configs/mcp/example.yaml --transport streamable-http --port 8000",
  router: "loom router --rules configs/router_rules.yaml --nats-url nats://127.0.0.1:4222",
  mesh: "loom mesh status",
  "dead-letters": "loom dead-letters list\n  loom dead-letters replay 12",
  pipeline: "loom pipeline --config configs/orchestrators/analysis_pipeline.yaml",
  submit: 'loom submit "Analyze this report" --context file_ref=sample_report.md',
  goals: "loom goals list",
  worker: "loom worker --config configs/workers/summarizer.yaml --concurrency 4",
  processor: "loom processor --config configs/workers/doc_extractor.yaml",
  workshop: "loom workshop --configs configs --open",
  dev: "loom dev fake-llm --port 11434",
  setup: "loom setup\n  loom setup --non-interactive --local-model llama3.2:3b",
  doctor: "loom doctor --configs configs --nats-url nats://127.0.0.1:4222",
  eval: "loom eval entity_extractor --gate --min-pass-rate 0.9 --junit eval.xml",
  new: 'loom new worker --non-interactive --name greeter --input name:string --output greeting:string \\\n    --system-prompt \'Greet the person by name. Reply with JSON {"greeting": "..."}.\'',
};

/** Adds "Example:" to the help of every top-level command that has one here. */
export function addExamples(program: Command): void {
  for (const command of program.commands) {
    const example = EXAMPLES[command.name()];
    if (example) command.addHelpText("after", `\nExample:\n  ${example}`);
  }
}
