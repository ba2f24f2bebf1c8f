#!/usr/bin/env node
import { createRequire } from "node:module";
import { Command, type CommanderError } from "commander";
import { enableTelemetry, shutdownTelemetry, telemetryRequested } from "../telemetry/enable.js";
import { registerCompletion } from "./completion.js";
import { registerDev } from "./dev.js";
import { registerDoctor } from "./doctor.js";
import { registerEval } from "./eval.js";
import { addExamples } from "./examples.js";
import { registerGoals } from "./goals.js";
import { registerMcp } from "./mcp.js";
import { registerMesh } from "./mesh.js";
import { registerNew } from "./new.js";
import { registerPipeline } from "./pipeline.js";
import { registerRouter } from "./router.js";
import { registerRun } from "./run.js";
import { registerSetup } from "./setup.js";
import { registerSubmit } from "./submit.js";
import { registerValidate } from "./validate.js";
import { registerWorker } from "./worker.js";
import { registerWorkshop } from "./workshop.js";

const { version } = createRequire(import.meta.url)("../../package.json") as { version: string };

const program = new Command()
  .name("loom")
  .description("Build AI workflows from small, strictly-typed workers and serve them over MCP.")
  .version(version, "-V, --version", "print the version")
  .option("--verbose", "show the stack of an error")
  .option(
    "--otel",
    "trace with OpenTelemetry to the OTLP/HTTP endpoint of OTEL_EXPORTER_OTLP_ENDPOINT (default http://localhost:4318); on by itself when that variable is set",
  )
  .showHelpAfterError("(add --help for usage)")
  // Usage errors (unknown command or option, missing argument) exit 2; help and version exit 0.
  .exitOverride((error: CommanderError) => {
    const clean = ["commander.helpDisplayed", "commander.version", "commander.help"].includes(error.code);
    process.exit(clean ? 0 : 2);
  })
  .hook("preAction", async (command) => {
    const opts = command.opts();
    if (opts.verbose) process.env.LOOM_VERBOSE = "1";
    // Off unless asked for: only then is the OpenTelemetry SDK loaded at all.
    if (telemetryRequested(process.env, opts.otel === true))
      await enableTelemetry({ serviceVersion: version });
  });

// Each command lives in its own file and registers itself here.
registerValidate(program);
registerRun(program);
registerMcp(program);
registerRouter(program);
registerMesh(program);
registerPipeline(program);
registerSubmit(program);
registerGoals(program);
registerWorker(program);
registerWorkshop(program);
registerDev(program);
registerEval(program);
registerNew(program);
registerSetup(program);
registerDoctor(program);
registerCompletion(program);
addExamples(program);

await program.parseAsync(process.argv);
await shutdownTelemetry().catch(() => {});
