/**
 * One Dispatcher contract suite that every dispatcher passes (issue #13; STYLE.md "One shared suite
 * per contract"): results for success and every failure code, cancellation, progress, an unknown
 * worker, timeouts, concurrency and close. Run it from a test file:
 *
 * @example
 * runDispatcherSuite({
 *   name: "LocalDispatcher",
 *   newDispatcher: async ({ workers, settings }) => new LocalDispatcher({ workers, settings }),
 * });
 *
 * The suite starts one fake LLM server, builds its workers as plain data
 * (test/fixtures/dispatcher-suite-workers.ts) and scripts the LLM per task by a marker in the
 * task's text (test/fixtures/llm-script.ts), so a dispatcher that runs workers in other processes
 * is tested the same way as an in-process one.
 */
import { afterAll, beforeAll, describe } from "vitest";
import type { WorkerConfig } from "../../src/config/types.js";
import type { LoomSettings } from "../../src/llm/settings.js";
import type { Dispatcher } from "../../src/worker/dispatcher.js";
import { dispatcherSuiteWorkers } from "../fixtures/dispatcher-suite-workers.js";
import { type FakeLlm, startFakeLlm } from "../fixtures/fake-llm-server.js";
import { fakeLlmSettings } from "../fixtures/fake-llm-settings.js";
import { LlmScript } from "../fixtures/llm-script.js";
import { closeCases } from "./dispatcher-contract-close.js";
import { resultCases } from "./dispatcher-contract-results.js";
import { runtimeCases } from "./dispatcher-contract-runtime.js";

/** What {@link DispatcherSuiteOptions.newDispatcher} builds a dispatcher from. */
export interface DispatcherSuiteContext {
  /** Worker configs of the suite, by name (LLM and processor workers). */
  workers: ReadonlyMap<string, WorkerConfig>;
  /** Settings whose tiers all point at the suite's fake LLM server. */
  settings: LoomSettings;
}

export interface DispatcherSuiteOptions {
  name: string;
  /** Builds a dispatcher that runs the given workers with the given settings. Called once per describe (beforeAll). */
  newDispatcher(context: DispatcherSuiteContext): Promise<Dispatcher>;
  /** Extra time a dispatcher needs on top of in-process (e.g. a mesh): scales test timeouts. @default 1 */
  slowness?: number;
}

/** What the case files share: the dispatcher under test, the scripted LLM and task builders. */
export interface SuiteHarness {
  /** The dispatcher of the current describe (built in its beforeAll). */
  dispatcher(): Dispatcher;
  script(): LlmScript;
  /** `ms` scaled by the suite's slowness. */
  scaled(ms: number): number;
}

/** Registers the contract's describe/it blocks for one dispatcher. */
export function runDispatcherSuite(options: DispatcherSuiteOptions): void {
  const slowness = options.slowness ?? 1;
  const scaled = (ms: number): number => Math.round(ms * slowness);

  describe(`Dispatcher contract: ${options.name}`, () => {
    let llm: FakeLlm | undefined;
    let script: LlmScript | undefined;
    let context: DispatcherSuiteContext | undefined;

    beforeAll(async () => {
      llm = await startFakeLlm();
      script = new LlmScript(llm);
      context = { workers: dispatcherSuiteWorkers(), settings: fakeLlmSettings(llm, "openai") };
    });
    afterAll(async () => {
      await llm?.close();
    });

    /** A describe whose tests share one dispatcher, closed after them. */
    const withDispatcher = (title: string, cases: (harness: SuiteHarness) => void): void => {
      describe(title, () => {
        let dispatcher: Dispatcher | undefined;
        beforeAll(async () => {
          if (!context) throw new Error("the suite's fake LLM did not start");
          dispatcher = await options.newDispatcher(context);
        }, scaled(30_000));
        afterAll(async () => {
          await dispatcher?.close?.();
        }, scaled(30_000));
        cases({
          dispatcher: () => defined(dispatcher, "dispatcher"),
          script: () => defined(script, "LLM script"),
          scaled,
        });
      });
    };

    withDispatcher("results", resultCases);
    withDispatcher("cancellation, timeouts, progress and concurrency", runtimeCases);
    withDispatcher("close", closeCases);
  });
}

function defined<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`the suite's ${what} is not set up (its beforeAll failed)`);
  return value;
}
