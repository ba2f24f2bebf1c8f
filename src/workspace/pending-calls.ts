/**
 * Asynchronous `WorkspaceManager` calls still running, so a worker thread can tell that a
 * `processSync` returned while a `writeJson()` it started (and could not await) was still pending
 * — that backend would report success for a file that does not exist yet, or ever.
 *
 * The record lives on `globalThis` under a registered symbol: a backend that imports `loom-ai`
 * and the thread code that checks may hold two copies of this module (source and `dist/`).
 */
const KEY = Symbol.for("loom.workspace.pendingCalls");

interface PendingCalls {
  next: number;
  running: Map<number, { method: string; settled: Promise<unknown> }>;
}

function record(): PendingCalls {
  const holder = globalThis as unknown as Record<symbol, PendingCalls | undefined>;
  let calls = holder[KEY];
  if (!calls) {
    calls = { next: 0, running: new Map() };
    holder[KEY] = calls;
  }
  return calls;
}

/** Records `promise` as a running call of `method` (e.g. `"writeJson"`) until it settles. */
export function trackCall<T>(method: string, promise: Promise<T>): Promise<T> {
  const calls = record();
  const id = calls.next++;
  const tracked = promise.finally(() => calls.running.delete(id));
  calls.running.set(id, { method, settled: tracked.catch(() => undefined) });
  return tracked;
}

/** A marker of "now": {@link callsStartedSince} lists the calls started after it still running. */
export function pendingCallMark(): number {
  return record().next;
}

/** The workspace calls started after `mark` that have not settled yet. */
export function callsStartedSince(mark: number): { method: string; settled: Promise<unknown> }[] {
  return [...record().running].filter(([id]) => id >= mark).map(([, call]) => call);
}
