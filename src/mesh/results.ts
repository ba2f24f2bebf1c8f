/**
 * Task results on the wire: stored in the LOOM_RESULTS stream (so a caller that was disconnected
 * finds them later) and published once per task id (the stream drops a repeat within its
 * de-duplication window).
 */
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { STREAMS } from "../bus/streams.js";
import { decodeResult, encodeResult } from "../bus/wire.js";
import type { TaskResult } from "../worker/messages.js";

/** Retries until the server stores the result, or `signal` aborts (then throws). */
export async function publishResult(
  js: JetStreamClient,
  subject: string,
  result: TaskResult,
  maxPayload: number,
  deliveryId: string = result.task_id,
  signal?: AbortSignal,
): Promise<void> {
  const data = encodeResult(result, maxPayload);
  for (let attempt = 0; ; attempt++) {
    try {
      await js.publish(subject, data, { msgID: resultMsgId(deliveryId) });
      return;
    } catch (error) {
      if (signal?.aborted) throw error;
      await sleep(Math.min(2000, 100 * 2 ** attempt));
    }
  }
}

function resultMsgId(deliveryId: string): string {
  return `result.${deliveryId}`;
}

/** The newest result stored for `subject` (only one of delivery `deliveryId` when given). */
export async function storedResult(
  jsm: JetStreamManager,
  subject: string,
  deliveryId?: string,
): Promise<TaskResult | undefined> {
  const stored = await jsm.streams.getMessage(STREAMS.results, { last_by_subj: subject }).catch(() => null);
  if (!stored) return undefined;
  if (deliveryId !== undefined && stored.header?.get("Nats-Msg-Id") !== resultMsgId(deliveryId))
    return undefined;
  const decoded = decodeResult(stored.data);
  return decoded.ok ? decoded.value : undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
