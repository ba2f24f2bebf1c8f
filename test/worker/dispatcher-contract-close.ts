/**
 * Dispatcher contract: close(). Runs in its own describe with its own dispatcher, after the others.
 */
import { expect, it } from "vitest";
import { errorMessage } from "../../src/errors.js";
import { SuiteWorker } from "../fixtures/dispatcher-suite-workers.js";
import type { SuiteHarness } from "./dispatcher-contract.js";
import { carriedOver, newTask } from "./dispatcher-contract-tasks.js";

const CLOSED = /clos/i;

export function closeCases({ dispatcher, scaled }: SuiteHarness): void {
  it(
    "close() resolves after tasks ran, and a second close() resolves too",
    async () => {
      const { task } = newTask(SuiteWorker.Echo, { text: "before close" });
      expect((await dispatcher().dispatch(task)).status).toBe("completed");
      const { close } = dispatcher();
      // Optional in the interface, but every dispatcher that opens something must release it.
      expect(close, "the dispatcher has a close() method").toBeTypeOf("function");
      await expect(dispatcher().close?.()).resolves.toBeUndefined();
      await expect(dispatcher().close?.()).resolves.toBeUndefined();
    },
    scaled(10_000),
  );

  // LocalDispatcher still runs a task after close(); a mesh dispatcher whose connection is gone
  // cannot. Either is allowed, but the call must settle, and a refusal must say why.
  it(
    "a task dispatched after close() settles: its own result, or an error that says closed",
    async () => {
      const text = "after close";
      const { task } = newTask(SuiteWorker.Echo, { text });
      const settled = await dispatcher()
        .dispatch(task)
        .then(
          (result) => ({ result }),
          (error: unknown) => ({ error }),
        );
      if ("error" in settled) {
        expect(errorMessage(settled.error)).toMatch(CLOSED);
        return;
      }
      const { result } = settled;
      expect(result).toMatchObject(carriedOver(task));
      if (result.status === "failed") expect(result.error?.message).toMatch(CLOSED);
      else expect(result.output).toEqual({ text, length: text.length });
    },
    scaled(10_000),
  );
}
