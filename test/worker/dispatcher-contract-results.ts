/**
 * Dispatcher contract: the result of a task for success and for every failure code a worker can
 * produce (invalid_input, invalid_output, llm_error, backend_error) and for an unknown worker.
 */
import { expect, it } from "vitest";
import { SuiteWorker } from "../fixtures/dispatcher-suite-workers.js";
import { UN_ENTITIES } from "../fixtures/entity-extractor.js";
import type { SuiteHarness } from "./dispatcher-contract.js";
import { carriedOver, expectFailure, newTask } from "./dispatcher-contract-tasks.js";

const NO_USAGE = { input: 0, output: 0 };

export function resultCases({ dispatcher, script, scaled }: SuiteHarness): void {
  it(
    "an LLM worker's JSON reply is the output, with the provider's token usage and model",
    async () => {
      const { task, marker } = newTask(SuiteWorker.Extractor);
      const reply = JSON.stringify(UN_ENTITIES);
      script().on(marker, { text: reply, usage: { input: 31, output: 7 }, model: "reported-model" });
      const result = await dispatcher().dispatch(task);
      expect(result).toMatchObject({
        ...carriedOver(task),
        status: "completed",
        output: UN_ENTITIES,
        error: null,
        model_used: "reported-model",
        token_usage: { input: 31, output: 7 },
        raw_response: reply,
      });
      const [request] = script().requestsFor(marker);
      expect(request?.system).toContain("entity extraction agent");
    },
    scaled(10_000),
  );

  it(
    "a processor worker's output is its backend's, with its model_used and no token usage",
    async () => {
      const text = "echo me";
      const { task } = newTask(SuiteWorker.Echo, { text });
      const result = await dispatcher().dispatch(task);
      expect(result).toMatchObject({
        ...carriedOver(task),
        status: "completed",
        output: { text, length: text.length },
        error: null,
        model_used: "echo-v1",
        token_usage: NO_USAGE,
      });
    },
    scaled(10_000),
  );

  it(
    "invalid_input: a payload that breaks input_schema fails before the LLM is called",
    async () => {
      const { task, marker } = newTask(SuiteWorker.Extractor);
      task.payload = { text: "", note: marker };
      script().on(marker, { text: JSON.stringify(UN_ENTITIES) });
      const result = await dispatcher().dispatch(task);
      expectFailure(result, task, "invalid_input", /input_schema/);
      expect(result).toMatchObject({ model_used: null, token_usage: NO_USAGE });
      expect(script().requestsFor(marker)).toHaveLength(0);
    },
    scaled(10_000),
  );

  it(
    "invalid_input: a processor worker's payload is checked too",
    async () => {
      const { task } = newTask(SuiteWorker.Echo, { text: 42 });
      const result = await dispatcher().dispatch(task);
      expectFailure(result, task, "invalid_input", /echo_processor/);
    },
    scaled(10_000),
  );

  it(
    "invalid_output: a reply that is not JSON keeps the raw reply and its usage",
    async () => {
      const { task, marker } = newTask(SuiteWorker.Extractor);
      const reply = "Sure! The entities are the United Nations and San Francisco.";
      script().on(marker, { text: reply, usage: { input: 20, output: 12 } });
      const result = await dispatcher().dispatch(task);
      expectFailure(result, task, "invalid_output", /entity_extractor/);
      expect(result).toMatchObject({ raw_response: reply, token_usage: { input: 20, output: 12 } });
      expect(result.model_used).toEqual(expect.any(String));
    },
    scaled(10_000),
  );

  it(
    "invalid_output: JSON that breaks output_schema keeps the raw reply and names the field",
    async () => {
      const { task, marker } = newTask(SuiteWorker.Extractor);
      const reply = JSON.stringify({ ...UN_ENTITIES, count: "three" });
      script().on(marker, { text: reply });
      const result = await dispatcher().dispatch(task);
      expectFailure(result, task, "invalid_output", /output_schema.*count/);
      expect(result.raw_response).toBe(reply);
    },
    scaled(10_000),
  );

  it(
    "llm_error: a provider that keeps answering HTTP 500 fails the task after retries",
    async () => {
      const { task, marker } = newTask(SuiteWorker.Extractor);
      script().on(marker, { status: 500, message: "model overloaded" });
      const result = await dispatcher().dispatch(task);
      expectFailure(result, task, "llm_error", /500/);
      expect(result.token_usage).toEqual(NO_USAGE);
      expect(script().requestsFor(marker).length).toBeGreaterThan(1);
    },
    scaled(10_000),
  );

  it(
    "llm_error: a provider that drops every connection fails the task",
    async () => {
      const { task, marker } = newTask(SuiteWorker.Extractor);
      script().on(marker, { drop: true });
      const result = await dispatcher().dispatch(task);
      expectFailure(result, task, "llm_error", /openai/);
    },
    scaled(10_000),
  );

  it(
    "backend_error: a processor that throws names its error class and message",
    async () => {
      const { task } = newTask(SuiteWorker.Failing, { text: "order 17" });
      const result = await dispatcher().dispatch(task);
      expectFailure(result, task, "backend_error", /RecordNotFound.*no record for 'order 17'/);
      expect(result.token_usage).toEqual(NO_USAGE);
    },
    scaled(10_000),
  );

  it(
    "an unknown worker is a failed result that names it (config_error or unroutable)",
    async () => {
      const { task } = newTask("entity_extracter");
      const result = await dispatcher().dispatch(task);
      expect(result).toMatchObject({
        ...carriedOver(task),
        status: "failed",
        output: null,
        model_used: null,
        token_usage: NO_USAGE,
      });
      expect(["config_error", "unroutable"]).toContain(result.error?.code);
      expect(result.error?.message).toContain("entity_extracter");
    },
    scaled(10_000),
  );
}
