/**
 * The mesh's dead letters: tasks that could not be routed, were refused by a rate limit, were not
 * valid messages, or lost their worker on every delivery. Each is published on
 * `loom.tasks.dead_letter` (so `nats sub loom.tasks.dead_letter` shows them live) and kept in the
 * LOOM_DEAD_LETTERS stream, where its stream sequence is its id for `loom dead-letters`.
 */
import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { STREAMS } from "../bus/streams.js";
import { DEAD_LETTER_SUBJECT, INCOMING_SUBJECT } from "../bus/subjects.js";
import { encodeJson } from "../bus/wire.js";
import { LoomError } from "../errors.js";
import type { TaskMessage } from "../worker/messages.js";

/** Why a message is a dead letter: a task error code, or `invalid_message` for unreadable input. */
export type DeadLetterCode = "unroutable" | "rate_limited" | "worker_lost" | "invalid_message";

export interface DeadLetter {
  code: DeadLetterCode;
  reason: string;
  dead_at: string;
  /** The process that dead-lettered it (router or worker instance). */
  source: string;
  worker_type?: string;
  tier?: string;
  /** The task, when the message was a readable task. */
  task?: TaskMessage;
  /** The message text, when it was not. */
  raw?: string;
  details?: Record<string, unknown>;
}

/** A stored dead letter with its id (its stream sequence). */
export interface StoredDeadLetter extends DeadLetter {
  id: number;
}

export async function publishDeadLetter(
  js: JetStreamClient,
  letter: Omit<DeadLetter, "dead_at">,
): Promise<void> {
  await js.publish(DEAD_LETTER_SUBJECT, encodeJson({ ...letter, dead_at: new Date().toISOString() }));
}

/** The newest dead letters, newest first. */
export async function listDeadLetters(jsm: JetStreamManager, limit = 50): Promise<StoredDeadLetter[]> {
  const info = await jsm.streams.info(STREAMS.deadLetters);
  const letters: StoredDeadLetter[] = [];
  for (
    let seq = info.state.last_seq;
    seq >= info.state.first_seq && seq > 0 && letters.length < limit;
    seq--
  ) {
    const letter = await showDeadLetter(jsm, seq).catch(() => undefined);
    if (letter) letters.push(letter);
  }
  return letters;
}

export async function countDeadLetters(jsm: JetStreamManager): Promise<number> {
  return (await jsm.streams.info(STREAMS.deadLetters)).state.messages;
}

/** @throws LoomError when no dead letter has that id. */
export async function showDeadLetter(jsm: JetStreamManager, id: number): Promise<StoredDeadLetter> {
  const stored = await jsm.streams.getMessage(STREAMS.deadLetters, { seq: id }).catch(() => null);
  if (!stored) {
    throw new LoomError("config_error", `no dead letter ${id} (list them with \`loom dead-letters list\`)`);
  }
  return { id, ...stored.json<DeadLetter>() };
}

/**
 * Sends a dead letter's task to the router again (a fresh delivery: no deadline, attempt reset) and
 * removes it from the dead letters. Its result goes where the original caller asked; if that caller
 * is gone, it is kept in the results stream (`nats sub 'loom.results.>'`).
 *
 * @throws LoomError when the id is unknown or the letter holds no readable task.
 */
export async function replayDeadLetter(
  jsm: JetStreamManager,
  js: JetStreamClient,
  id: number,
): Promise<TaskMessage> {
  const letter = await showDeadLetter(jsm, id);
  if (!letter.task) {
    throw new LoomError(
      "invalid_input",
      `dead letter ${id} holds no readable task (${letter.reason}); nothing to replay — remove it with \`loom dead-letters purge ${id}\``,
    );
  }
  const { deadline: _deadline, attempt: _attempt, ...original } = letter.task;
  const task = { ...original, delivery_id: `${original.task_id}.replay.${id}` };
  await js.publish(INCOMING_SUBJECT, encodeJson(task), { msgID: task.delivery_id });
  await jsm.streams.deleteMessage(STREAMS.deadLetters, id);
  return task;
}

/** Removes one dead letter, or all of them without an id. Returns how many went. */
export async function purgeDeadLetters(jsm: JetStreamManager, id?: number): Promise<number> {
  if (id !== undefined) {
    await showDeadLetter(jsm, id);
    await jsm.streams.deleteMessage(STREAMS.deadLetters, id);
    return 1;
  }
  return (await jsm.streams.purge(STREAMS.deadLetters)).purged;
}
