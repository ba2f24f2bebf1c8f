import { describe, expect, it } from "vitest";
import { isAbortError } from "../../src/errors.js";
import { TaskAbort } from "../../src/worker/task-abort.js";

describe("TaskAbort", () => {
  it("a signal asked for after the stop is already aborted, with the same reason", () => {
    const abort = new TaskAbort();
    const reason = new DOMException("timed out after 1 s", "TimeoutError");
    abort.abort(reason);
    abort.abort(new Error("later reasons lose"));
    expect(abort.signal.aborted).toBe(true);
    expect(abort.signal.reason).toBe(reason);
    expect(() => abort.throwIfAborted()).toThrow(reason);
  });

  it("a signal asked for before the stop aborts with it, and listeners hear it once", () => {
    const abort = new TaskAbort();
    const { signal } = abort;
    const heard: string[] = [];
    abort.onAbort(() => heard.push("kept"));
    const removed = abort.onAbort(() => heard.push("removed"));
    removed();
    abort.abort();
    abort.abort();
    expect(signal.aborted).toBe(true);
    expect(isAbortError(signal.reason)).toBe(true);
    expect(heard).toEqual(["kept"]);
  });

  it("follows signals from the next turn of the event loop, until released", async () => {
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

    const caller = new AbortController();
    const followed = new TaskAbort();
    followed.follow(new AbortController().signal);
    followed.follow(caller.signal);
    caller.abort(new Error("caller cancelled"));
    expect(followed.aborted).toBe(false); // the same turn: not listened to yet
    await nextTurn();
    expect(followed.aborted).toBe(true);
    expect(String(followed.reason)).toContain("caller cancelled");

    const later = new AbortController();
    const listening = new TaskAbort();
    listening.follow(later.signal);
    await nextTurn();
    later.abort("stopped while listened to");
    expect(listening.reason).toBe("stopped while listened to");

    const released = new AbortController();
    const ended = new TaskAbort();
    ended.follow(released.signal);
    await nextTurn();
    ended.release();
    released.abort();
    const beforeListening = new AbortController();
    const endedEarly = new TaskAbort();
    endedEarly.follow(beforeListening.signal);
    endedEarly.release();
    beforeListening.abort();
    await nextTurn();
    expect([ended.aborted, endedEarly.aborted]).toEqual([false, false]);

    const already = new TaskAbort();
    already.follow(AbortSignal.abort("gone"));
    expect(already.reason).toBe("gone");
  });

  it("times out after its timeout, counted from when it was made", async () => {
    const abort = new TaskAbort(30);
    const started = performance.now();
    const stopped = new Promise<number>((resolve) => abort.onAbort(() => resolve(performance.now())));
    // The first turn takes longer than the timeout: it fires as soon as it is armed.
    const until = started + 40;
    while (performance.now() < until) {}
    expect(await stopped).toBeLessThan(started + 200);
    expect(abort.timedOut).toBe(true);
    expect((abort.reason as DOMException).name).toBe("TimeoutError");
    expect(String(abort.reason)).toContain("timed out after 0.03 s");

    const released = new TaskAbort(10);
    await new Promise((resolve) => setImmediate(resolve));
    released.release();
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect([released.aborted, released.timedOut]).toEqual([false, false]);
  });
});
