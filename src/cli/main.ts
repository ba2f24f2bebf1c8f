#!/usr/bin/env node
import { Command } from "commander";
import { registerDev } from "./dev.js";
import { registerEval } from "./eval.js";
import { registerGoals } from "./goals.js";
import { registerMcp } from "./mcp.js";
import { registerMesh } from "./mesh.js";
import { registerPipeline } from "./pipeline.js";
import { registerRouter } from "./router.js";
import { registerRun } from "./run.js";
import { registerSetup } from "./setup.js";
import { registerSubmit } from "./submit.js";
import { registerValidate } from "./validate.js";
import { registerWorker } from "./worker.js";
import { registerWorkshop } from "./workshop.js";

const program = new Command()
  .name("loom")
  .description("Build AI workflows from small, strictly-typed workers and serve them over MCP.")
  .showHelpAfterError();

// Each command lives in its own file and registers itself here.
// (register-lines are added as commands land)

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
registerSetup(program);

await program.parseAsync(process.argv);
