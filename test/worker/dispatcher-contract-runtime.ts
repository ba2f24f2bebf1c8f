/**
 * Dispatcher contract: what happens while a task runs — timeouts, cancellation by the caller,
 * progress notes, and many tasks at once.
 */
import { expect, it } from "vitest";
import type { TaskProgress } from "../../src/worker/dispatcher.js";
import type { TaskResult } from "../../src/worker/messages.js";
import { SuiteWorker } from "../fixtures/dispatcher-suite-workers.js";
import { UN_ENTITIES } from "../fixtures/entity-extractor.js";
import type { SuiteHarness } from "./dispatcher-contract.js";
import { carriedOver, expectFailure, newTask, waitFor } from "./dispatcher-contract-tasks.js";

/** How soon a cancelled task must resolve, before scaling by the suite's slowness. */
const CANCEL_WITHIN_MS = 2_000;

export function runtimeCases({ dispatcher, script, scaled }: SuiteHarness): void {
  it(
    "timeout: a processor that hangs past timeout_seconds: 1 fails with timeout",
    async () => {
      const { task } = newTask(SuiteWorker.HastyHanging, { text: "wait forever" });
      const started = performance.now();
      const result = await dispatcher().dispatch(task);
      expectFailure(result, task, "timeout", /hasty_hanging_processor/);
      expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    },
    scaled(10_000),
  );

  it(
    "timeout: an LLM that answers after timeout_seconds: 1 fails with timeout",
    async () => {
      const { task, marker } = newTask(SuiteWorker.HastyExtractor);
      script().on(marker, { text: JSON.stringify(UN_ENTITIES), delayMs: 10_000 });
      const started = performance.now();
      const result = await dispatcher().dispatch(task);
      expectFailure(result, task, "timeout", /hasty_extractor/);
      expect(performance.now() - started).toBeGreaterThanOrEqual(900);
    },
    scaled(10_000),
  );

  it(
    "cancelled: aborting while the LLM is answering resolves promptly",
    async () => {
      const { task, marker } = newTask(SuiteWorker.Extractor);
      script().on(marker, { text: JSON.stringify(UN_ENTITIES), delayMs: 60_000 });
      const controller = new AbortController();
      const pending = dispatcher().dispatch(task, { signal: controller.signal });
      await waitFor(() => script().requestsFor(marker).length > 0, "the LLM request", scaled(5_000));
      const aborted = performance.now();
      controller.abort();
      const result = await pending;
      expect(performance.now() - aborted).toBeLessThan(scaled(CANCEL_WITHIN_MS));
      expectFailure(result, task, "cancelled", /entity_extractor/);
    },
    scaled(10_000),
  );

  it(
    "cancelled: aborting a processor that ignores its signal resolves promptly",
    async () => {
      const { task } = newTask(SuiteWorker.Hanging, { text: "wait forever" });
      const controller = new AbortController();
      const pending = dispatcher().dispatch(task, { signal: controller.signal });
      await new Promise((resolve) => setTimeout(resolve, scaled(200)));
      const aborted = performance.now();
      controller.abort();
      const result = await pending;
      expect(performance.now() - aborted).toBeLessThan(scaled(CANCEL_WITHIN_MS));
      expectFailure(result, task, "cancelled", /hanging_processor/);
    },
    scaled(10_000),
  );

  it(
    "cancelled: an already-aborted signal fails the task without calling the LLM",
    async () => {
      const { task, marker } = newTask(SuiteWorker.Extractor);
      script().on(marker, { text: JSON.stringify(UN_ENTITIES) });
      const started = performance.now();
      const result = await dispatcher().dispatch(task, { signal: AbortSignal.abort() });
      expect(performance.now() - started).toBeLessThan(scaled(CANCEL_WITHIN_MS));
      expectFailure(result, task, "cancelled", /entity_extractor/);
      expect(script().requestsFor(marker)).toHaveLength(0);
    },
    scaled(10_000),
  );

  it(
    "progress: a retried LLM call reports a progress note, then the task completes",
    async () => {
      const { task, marker } = newTask(SuiteWorker.Extractor);
      script().on(
        marker,
        { status: 500, message: "model overloaded" },
        { text: JSON.stringify(UN_ENTITIES), usage: { input: 9, output: 4 } },
      );
      const notes: TaskProgress[] = [];
      const result = await dispatcher().dispatch(task, { onProgress: (note) => notes.push(note) });
      expect(result).toMatchObject({
        ...carriedOver(task),
        status: "completed",
        output: UN_ENTITIES,
        token_usage: { input: 9, output: 4 },
      });
      expect(notes.length).toBeGreaterThanOrEqual(1);
      expect(notes.some((note) => typeof note.message === "string" && note.message.includes("500"))).toBe(
        true,
      );
    },
    scaled(10_000),
  );

  it(
    "concurrency: 10 tasks at once each get their own result",
    async () => {
      const tasks = Array.from({ length: 10 }, (_, i) => {
        if (i % 2 === 1)
          return { ...newTask(SuiteWorker.Echo, { text: `echo number ${i}` }), expected: null };
        const suite = newTask(SuiteWorker.Extractor);
        const expected = { people: [`Person ${i}`], places: [], organizations: [], count: 1 };
        // Later tasks answer sooner, so results arrive in another order than the tasks were sent.
        script().on(suite.marker, { text: JSON.stringify(expected), delayMs: (10 - i) * 30 });
        return { ...suite, expected };
      });
      const results = await Promise.all(tasks.map(({ task }) => dispatcher().dispatch(task)));
      results.forEach((result: TaskResult, i) => {
        const { task, expected } = tasks[i] ?? {};
        if (!task) throw new Error(`no task ${i}`);
        const text = String(task.payload.text);
        expect(result).toMatchObject({
          ...carriedOver(task),
          status: "completed",
          output: expected ?? { text, length: text.length },
        });
      });
    },
    scaled(15_000),
  );
}
