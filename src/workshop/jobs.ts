/**
 * Background runs started from a page (an eval suite, a pipeline goal): each keeps its events, so
 * a page that subscribes late (server-sent events) still sees all of them, and can be cancelled.
 */
import { randomUUID } from "node:crypto";
import type { Response } from "express";
import { errorMessage } from "../errors.js";

/** The last event of every job. */
export type JobEnd = { type: "done"; url: string } | { type: "failed"; message: string };

export interface Job<E> {
  id: string;
  /** Who the job belongs to (a worker or pipeline name): URLs of another owner cannot reach it. */
  owner: string;
  events: (E | JobEnd)[];
  finished: boolean;
  listeners: Set<(event: E | JobEnd) => void>;
  controller: AbortController;
}

const KEEP_FINISHED = 50;

export class Jobs<E> {
  readonly #jobs = new Map<string, Job<E>>();

  /** Starts `work`, which emits events and resolves with the URL of what it produced. */
  start(owner: string, work: (emit: (event: E) => void, signal: AbortSignal) => Promise<string>): Job<E> {
    const job: Job<E> = {
      id: randomUUID(),
      owner,
      events: [],
      finished: false,
      listeners: new Set(),
      controller: new AbortController(),
    };
    this.#jobs.set(job.id, job);
    this.#trim();
    const emit = (event: E | JobEnd) => {
      job.events.push(event);
      for (const listener of job.listeners) listener(event);
    };
    work(emit, job.controller.signal)
      .then((url) => emit({ type: "done", url }))
      .catch((error: unknown) => emit({ type: "failed", message: errorMessage(error) }))
      .finally(() => {
        job.finished = true;
      });
    return job;
  }

  get(owner: string, id: string): Job<E> | undefined {
    const job = this.#jobs.get(id);
    return job?.owner === owner ? job : undefined;
  }

  /** Streams the job's events as server-sent events (`event: <type>`), ending after the last. */
  stream(job: Job<E>, res: Response): void {
    res.writeHead(200, {
      "content-type": "text/event-stream",
      "cache-control": "no-cache",
      connection: "keep-alive",
    });
    const send = (event: E | JobEnd) => {
      const type = (event as { type?: unknown }).type;
      res.write(`event: ${String(type)}\ndata: ${JSON.stringify(event)}\n\n`);
      if (type === "done" || type === "failed") res.end();
    };
    for (const event of job.events) send(event);
    if (job.finished) return;
    job.listeners.add(send);
    res.once("close", () => job.listeners.delete(send));
  }

  /** Cancels every running job. */
  close(): void {
    for (const job of this.#jobs.values())
      if (!job.finished) job.controller.abort(new Error("the Workshop is shutting down"));
  }

  #trim(): void {
    const finished = [...this.#jobs.values()].filter((j) => j.finished);
    for (const job of finished.slice(0, Math.max(0, finished.length - KEEP_FINISHED)))
      this.#jobs.delete(job.id);
  }
}
