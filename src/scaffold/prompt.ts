/**
 * Asking for the answers flags did not give: with @clack/prompts on a terminal, or a usage error
 * naming the flag when prompting is off (--non-interactive, or stdin is not a terminal).
 */
import * as p from "@clack/prompts";
import { errorMessage } from "../errors.js";

/** A missing or malformed flag: the command exits 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

/** The user pressed Ctrl-C or Escape at a prompt: the command exits 1. */
export class CancelledError extends Error {
  constructor() {
    super("cancelled");
  }
}

/** Asks questions, or refuses to when prompting is off. */
export class Asker {
  constructor(readonly interactive: boolean) {}

  /** The flag's value, else the answer to a text prompt; `check` turns an answer into a value or throws. */
  async text<T>(
    flag: string,
    given: string | undefined,
    question: { message: string; placeholder?: string; defaultValue?: string; optional?: boolean },
    check: (value: string) => T,
  ): Promise<T> {
    if (given !== undefined) return check(given);
    if (!this.interactive) {
      if (question.defaultValue !== undefined || question.optional) return check(question.defaultValue ?? "");
      throw new UsageError(
        `missing ${flag} (required with --non-interactive or when stdin is not a terminal)`,
      );
    }
    const answer = await p.text({
      message: question.message,
      placeholder: question.placeholder ?? question.defaultValue,
      defaultValue: question.defaultValue ?? (question.optional ? "" : undefined),
      validate: (value) => {
        if (!question.optional && question.defaultValue === undefined && !value) return "required";
        try {
          check(value ?? question.defaultValue ?? "");
          return undefined;
        } catch (error) {
          return errorMessage(error);
        }
      },
    });
    return check(unwrap(answer) ?? question.defaultValue ?? "");
  }

  /** The flag's value (one of `choices`), else a select prompt. */
  async select<T extends string>(
    flag: string,
    given: string | undefined,
    question: { message: string; choices: readonly T[]; initial?: T; labels?: Partial<Record<T, string>> },
  ): Promise<T> {
    if (given !== undefined) {
      if ((question.choices as readonly string[]).includes(given)) return given as T;
      throw new UsageError(`${flag} '${given}' is not one of: ${question.choices.join(", ")}`);
    }
    if (!this.interactive) {
      if (question.initial !== undefined) return question.initial;
      throw new UsageError(
        `missing ${flag} (required with --non-interactive or when stdin is not a terminal)`,
      );
    }
    const answer = await p.select<T>({
      message: question.message,
      initialValue: question.initial,
      // The cast: clack's Option<T> is a conditional type TypeScript cannot narrow for a generic T.
      options: question.choices.map((value) => ({
        value,
        label: question.labels?.[value] ?? value,
      })) as never,
    });
    return unwrap(answer);
  }

  /** A yes/no question; `initial` when not interactive. */
  async confirm(message: string, initial: boolean): Promise<boolean> {
    if (!this.interactive) return initial;
    return unwrap(await p.confirm({ message, initialValue: initial }));
  }
}

/** Throws {@link CancelledError} for a cancelled prompt. */
export function unwrap<T>(answer: T): Exclude<T, symbol> {
  if (p.isCancel(answer)) throw new CancelledError();
  return answer as Exclude<T, symbol>;
}
