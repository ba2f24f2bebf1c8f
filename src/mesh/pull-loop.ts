/**
 * The loop every mesh process runs on its JetStream consumer: pull messages while fewer than
 * `capacity` are in hand, give each to `handle` without waiting for it, and keep going through
 * server restarts. A message whose handling throws is left unacked, so it is redelivered.
 */
import type { Consumer, ConsumerMessages, JsMsg } from "@nats-io/jetstream";
import type { MeshLogger } from "./logger.js";
import { sleep } from "./results.js";

export interface PullLoopOptions {
  consumer: Consumer;
  /** Messages in hand at once. */
  capacity: number;
  handle: (msg: JsMsg) => Promise<void>;
  logger: MeshLogger;
  /** What the messages are, for log lines: "tasks", "incoming tasks". */
  what: string;
}

export interface PullLoop {
  /** Messages being handled now. */
  readonly inHand: number;
  /** Stops pulling (handlers still running go on) and resolves once the loop has ended. */
  stop(): Promise<void>;
}

export function startPullLoop(options: PullLoopOptions): PullLoop {
  const { consumer, capacity, handle, logger, what } = options;
  let inHand = 0;
  let stopping = false;
  let wake: (() => void) | undefined;
  let batch: ConsumerMessages | undefined;

  const loop = (async () => {
    while (!stopping) {
      const free = capacity - inHand;
      if (free <= 0) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      try {
        batch = await consumer.fetch({ max_messages: free, expires: 2000 });
        for await (const msg of batch) {
          inHand++;
          handle(msg)
            .catch((error: unknown) =>
              logger.error(
                { error: String(error) },
                `${what}: one could not be handled; it will be redelivered`,
              ),
            )
            .finally(() => {
              inHand--;
              wake?.();
            });
          if (stopping) break;
        }
      } catch (error) {
        if (!stopping) {
          logger.warn({ error: String(error) }, `could not fetch ${what}; retrying`);
          await sleep(1000);
        }
      }
    }
  })();

  return {
    get inHand() {
      return inHand;
    },
    async stop() {
      stopping = true;
      wake?.();
      batch?.stop();
      await loop;
    },
  };
}
