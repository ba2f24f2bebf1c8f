/**
 * The script of `loom dev fake-llm --script FILE`: a YAML or JSON file that says what the fake
 * model answers.
 *
 * ```yaml
 * rules:                        # the first rule whose text occurs in the system prompt or input
 *   - match: "entity extraction agent"
 *     reply: { text: '{"people": ["Ada"], "places": [], "organizations": [], "count": 1} ' }
 * replies:                      # then these, one per chat request, in order
 *   - text: '{"summary": "short"}'
 *   - status: 429               # an HTTP error, as the real provider sends it
 * ```
 *
 * A reply is `{text}` (optionally `usage: {input, output}`, `delay_ms`), `{tool_calls: [{name,
 * arguments}]}` or `{status, message}`. Anything not matched gets the default: a sample of the
 * worker's output schema (see sample-reply.ts).
 */
import { readFile } from "node:fs/promises";
import { parse } from "yaml";
import { errorMessage, LoomError } from "../errors.js";
import type { FakeReply, FakeResponder, RecordedRequest } from "./fake-llm-server.js";
import { sampleReplyText } from "./sample-reply.js";

/** A loaded script. */
export interface FakeLlmScript {
  rules: { match: string; reply: FakeReply }[];
  replies: FakeReply[];
}

const SCRIPT_KEYS = ["rules", "replies"];
const REPLY_KEYS = ["text", "usage", "model", "delay_ms", "tool_calls", "status", "message"];

function bad(file: string, where: string, what: string): never {
  throw new LoomError("config_invalid", `${file}: ${where}: ${what}`, { details: { file, path: where } });
}

function toReply(file: string, where: string, raw: unknown): FakeReply {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    return bad(file, where, "must be a mapping such as {text: '{...}'}");
  }
  const fields = raw as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !REPLY_KEYS.includes(key));
  if (unknown.length > 0)
    bad(file, where, `unknown key(s) ${unknown.join(", ")} (keys: ${REPLY_KEYS.join(", ")})`);
  const delay = typeof fields.delay_ms === "number" ? { delayMs: fields.delay_ms } : {};
  if (typeof fields.status === "number") {
    return {
      status: fields.status,
      ...(typeof fields.message === "string" ? { message: fields.message } : {}),
      ...delay,
    };
  }
  const usage = fields.usage as { input: number; output: number } | undefined;
  if (Array.isArray(fields.tool_calls)) {
    const toolCalls = fields.tool_calls.map((call, i) => {
      const c = call as { name?: unknown; arguments?: unknown };
      if (typeof c?.name !== "string") return bad(file, `${where}.tool_calls[${i}]`, "needs a name");
      return { name: c.name, arguments: (c.arguments ?? {}) as Record<string, unknown> };
    });
    return { toolCalls, ...(usage ? { usage } : {}), ...delay };
  }
  if (typeof fields.text !== "string") return bad(file, where, "needs text, tool_calls or status");
  return {
    text: fields.text,
    ...(usage ? { usage } : {}),
    ...(typeof fields.model === "string" ? { model: fields.model } : {}),
    ...delay,
  };
}

/** Reads and checks a script file. @throws LoomError `config_invalid` naming the bad entry. */
export async function loadFakeLlmScript(file: string): Promise<FakeLlmScript> {
  let data: unknown;
  try {
    data = parse(await readFile(file, "utf8"));
  } catch (cause) {
    throw new LoomError("config_invalid", `cannot read fake LLM script ${file}: ${errorMessage(cause)}`, {
      cause,
    });
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return bad(file, "(root)", "must be a mapping with rules and/or replies");
  }
  const fields = data as Record<string, unknown>;
  const unknown = Object.keys(fields).filter((key) => !SCRIPT_KEYS.includes(key));
  if (unknown.length > 0) bad(file, "(root)", `unknown key(s) ${unknown.join(", ")} (keys: rules, replies)`);
  const rules = (Array.isArray(fields.rules) ? fields.rules : []).map((rule, i) => {
    const r = rule as { match?: unknown; reply?: unknown };
    if (typeof r?.match !== "string" || r.match === "")
      return bad(file, `rules[${i}].match`, "must be a non-empty string");
    return { match: r.match, reply: toReply(file, `rules[${i}].reply`, r.reply) };
  });
  const replies = (Array.isArray(fields.replies) ? fields.replies : []).map((reply, i) =>
    toReply(file, `replies[${i}]`, reply),
  );
  return { rules, replies };
}

/**
 * The responder of `loom dev fake-llm`: the script's matching rule, else its next reply, else a
 * sample of the requested output schema.
 */
export function scriptResponder(script: FakeLlmScript = { rules: [], replies: [] }): FakeResponder {
  const queue = [...script.replies];
  return (request: RecordedRequest): FakeReply | undefined => {
    if (request.kind !== "chat") return undefined;
    const haystack = `${request.system ?? ""}\n${request.userText ?? ""}`;
    const rule = script.rules.find((r) => haystack.includes(r.match));
    if (rule) return rule.reply;
    return queue.shift() ?? { text: sampleReplyText(request) };
  };
}
