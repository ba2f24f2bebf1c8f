import { describe, expect, it } from "vitest";
import { type ProgressParams, ProgressReporter } from "../../src/mcp/progress.js";

function reporter() {
  const sent: ProgressParams[] = [];
  const progress = new ProgressReporter({
    send: async (params) => {
      sent.push(params);
    },
    heartbeatMs: 3_600_000,
  });
  return { sent, progress };
}

describe("mcp progress", () => {
  it("keeps progress strictly increasing when reports repeat a value", async () => {
    const { sent, progress } = reporter();
    progress.report({ progress: 0, total: 3, message: "stage 'a' started" });
    progress.report({ progress: 0, total: 3, message: "stage 'b' started" });
    progress.report({ progress: 1, total: 3, message: "stage 'a' completed" });
    progress.report({ progress: 1, total: 3, message: "stage 'c' started" });
    progress.report({ progress: 3, total: 3, message: "done" });
    await progress.stop();
    expect(sent.map((p) => p.progress)).toEqual([0, 0.001, 1, 1.001, 3]);
    expect(sent.every((p) => p.total === 3)).toBe(true);
    expect(sent[3]?.message).toBe("stage 'c' started");
  });

  it("sends nothing after stop", async () => {
    const { sent, progress } = reporter();
    progress.report({ progress: 1 });
    await progress.stop();
    progress.report({ progress: 2 });
    expect(sent.map((p) => p.progress)).toEqual([1]);
  });

  it("sends reports in order even when sending is slow", async () => {
    const sent: number[] = [];
    const progress = new ProgressReporter({
      send: async (params) => {
        await new Promise((resolve) => setTimeout(resolve, params.progress === 1 ? 20 : 0));
        sent.push(params.progress);
      },
      heartbeatMs: 3_600_000,
    });
    progress.report({ progress: 1 });
    progress.report({ progress: 2 });
    await progress.stop();
    expect(sent).toEqual([1, 2]);
  });
});
