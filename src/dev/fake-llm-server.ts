/**
 * A fake LLM HTTP server — the one stand-in Loom's tests use (DESIGN.md), and what
 * `loom dev fake-llm` serves so LLM workers can be tried offline. It speaks the
 * wire protocols closely enough that the official clients (`ollama`, `openai`, `@anthropic-ai/sdk`)
 * parse its replies: usage fields, finish/stop reasons, tool calls, embeddings.
 *
 * Endpoints: Ollama `POST /api/chat`, `POST /api/embed`, `POST /api/pull` (streamed progress),
 * `GET /api/tags`, `GET /api/version`; OpenAI `POST /v1/chat/completions`, `POST /v1/embeddings`,
 * `GET /v1/models`; Anthropic `POST /v1/messages`. Chat replies are never streamed (Loom's backends
 * do not stream).
 *
 * Script it per test with a FIFO queue of replies. Chat requests take the first queued reply meant
 * for chat; embedding requests the first meant for embeddings (an `embeddings` reply, or any reply
 * with `endpoint: "embed"`). With nothing queued, the responder answers (see `setResponder`);
 * the default responder replies `{}` to chat and a deterministic vector per text to embeddings.
 *
 * @example
 * const llm = await startFakeLlm();
 * llm.enqueue({ text: '```json\n{"people": []}\n```', usage: { input: 12, output: 7 } });
 * llm.enqueue({ toolCalls: [{ name: "lookup_record", arguments: { record_id: "42" } }] });
 * llm.enqueue({ status: 429, message: "slow down" });          // an HTTP error
 * llm.enqueue({ text: "{}", delayMs: 5_000 });                 // a slow reply
 * llm.enqueue({ drop: true });                                 // connection reset
 * llm.enqueue({ embeddings: [[0.1, 0.2], [0.3, 0.4]] });        // for /api/embed, /v1/embeddings
 * llm.setResponder((req) => ({ text: JSON.stringify({ echo: req.userText }) }));
 * // Point clients at it: Ollama host = llm.url; OpenAI baseURL = `${llm.url}/v1`;
 * // Anthropic baseURL = llm.url.
 * llm.requests[0].body;                                        // what the client sent
 * llm.reset();                                                 // between tests sharing one server
 * await llm.close();
 *
 * In tests, import it from test/fixtures/fake-llm-server.ts; `fakeLlmSettings(llm, kind)`
 * (test/fixtures/fake-llm-settings.ts) gives LoomSettings with every tier on the fake server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { DEFAULT_MODELS } from "../llm/default-models.js";
import { replyBody, type WireProtocol } from "./fake-llm-wire.js";

export type { WireProtocol } from "./fake-llm-wire.js";

/** Token counts reported in the reply's usage fields. */
export interface FakeUsage {
  input: number;
  output: number;
}

/** One tool call the fake model makes. `id` is generated when absent. */
export interface FakeToolCall {
  name: string;
  arguments: Record<string, unknown>;
  id?: string;
}

interface FakeReplyBase {
  /** Wait this long before answering (the request is recorded at once). */
  delayMs?: number;
  /** Which kind of request consumes this reply. @default "embed" for embeddings, else "chat" */
  endpoint?: "chat" | "embed";
}

/** The model answers with text (JSON or not — "malformed output" is just text). */
export interface FakeTextReply extends FakeReplyBase {
  text: string;
  usage?: FakeUsage;
  /** Reported model name. @default the model the request asked for */
  model?: string;
  /** `length` maps to OpenAI `length`, Anthropic `max_tokens`, Ollama `length`. @default "stop" */
  finishReason?: "stop" | "length";
}

/** The model asks for tools (optionally with some text beside the calls). */
export interface FakeToolCallReply extends FakeReplyBase {
  toolCalls: FakeToolCall[];
  text?: string;
  usage?: FakeUsage;
  model?: string;
}

/** An HTTP error in the protocol's own error shape (`body` replaces it verbatim when given). */
export interface FakeErrorReply extends FakeReplyBase {
  status: number;
  message?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Vectors for an embeddings request, one per input text. */
export interface FakeEmbeddingReply extends FakeReplyBase {
  embeddings: number[][];
  model?: string;
}

/** The connection is destroyed without an answer (a network failure). */
export interface FakeDropReply extends FakeReplyBase {
  drop: true;
}

export type FakeReply =
  | FakeTextReply
  | FakeToolCallReply
  | FakeErrorReply
  | FakeEmbeddingReply
  | FakeDropReply;

/** A request the server received, parsed. */
export interface RecordedRequest {
  protocol: WireProtocol;
  kind: "chat" | "embed" | "other";
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body (`undefined` when there was none). */
  body: unknown;
  /** The `model` field of the body, if any. */
  model: string | undefined;
  /** The system prompt (Anthropic `system`, or the first system message), if any. */
  system: string | undefined;
  /** The text of the last user message, or the embedding inputs joined by newlines. */
  userText: string | undefined;
}

/** Answers a request when the queue holds nothing for it. Return `undefined` for the default. */
export type FakeResponder = (
  request: RecordedRequest,
) => FakeReply | undefined | Promise<FakeReply | undefined>;

export interface FakeLlmOptions {
  /** Size of the default deterministic embedding vectors. @default 8 */
  embeddingDimensions?: number;
  /** Port to listen on (0 picks a free one). @default 0 */
  port?: number;
  /** Interface to listen on. @default "127.0.0.1" */
  host?: string;
  /**
   * What the model lists (Ollama `GET /api/tags`, OpenAI `GET /v1/models`) say is served; every
   * model is answered either way. `[]` plays a fresh Ollama with nothing pulled.
   * @default `fake-model` and Loom's default model of each backend and tier
   */
  models?: readonly string[];
}

/** The models a fake server lists unless told otherwise. */
export const FAKE_LLM_MODELS: readonly string[] = [
  "fake-model",
  ...new Set(Object.values(DEFAULT_MODELS).flatMap((byTier) => Object.values(byTier))),
];

/** A running fake LLM server. */
export interface FakeLlm extends AsyncDisposable {
  /** Base URL, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  readonly url: string;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Queues replies, consumed in order (see the file's TSDoc for how chat and embed differ). */
  enqueue(...replies: FakeReply[]): void;
  /** Replies still queued. */
  readonly pending: number;
  /** Sets (or, with `undefined`, resets) the fallback used when the queue is empty. */
  setResponder(responder: FakeResponder | undefined): void;
  /** Forgets queued replies, recorded requests and the responder (for a server shared by tests). */
  reset(): void;
  /** Only the chat requests (all protocols), in order. */
  chatRequests(): RecordedRequest[];
  close(): Promise<void>;
}

/** Starts a fake LLM server (by default on a free port of 127.0.0.1). */
export async function startFakeLlm(options: FakeLlmOptions = {}): Promise<FakeLlm> {
  const dimensions = options.embeddingDimensions ?? 8;
  const models = [...(options.models ?? FAKE_LLM_MODELS)];
  const queue: FakeReply[] = [];
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let responder: FakeResponder | undefined;

  const takeQueued = (kind: "chat" | "embed"): FakeReply | undefined => {
    const index = queue.findIndex((reply) => replyEndpoint(reply) === kind);
    return index === -1 ? undefined : queue.splice(index, 1)[0];
  };

  // A responder reply meant for the other endpoint (text for an embed request) yields the default.
  const respond = async (request: RecordedRequest): Promise<FakeReply | undefined> => {
    const reply = await responder?.(request);
    return reply && replyEndpoint(reply) === request.kind ? reply : undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const recorded = await record(req);
    requests.push(recorded);
    if (recorded.kind === "other") {
      if (recorded.path === "/api/pull") await streamPull(recorded, res, models);
      else answerOther(recorded, res, models);
      return;
    }
    const reply =
      takeQueued(recorded.kind) ?? (await respond(recorded)) ?? defaultReply(recorded, dimensions);
    if (reply.delayMs) {
      const delayMs = reply.delayMs;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          timers.delete(timer);
          resolve();
        }, delayMs);
        timers.add(timer);
        res.on("close", () => {
          clearTimeout(timer);
          timers.delete(timer);
          resolve();
        });
      });
      if (res.destroyed || res.writableEnded) return;
    }
    if ("drop" in reply) {
      req.socket.destroy();
      return;
    }
    const { status, body, headers } = replyBody(recorded, reply);
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(body));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: `fake-llm-server: ${String(error)}` }));
    });
  });
  const host = options.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  const close = async (): Promise<void> => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    requests,
    enqueue: (...replies) => {
      queue.push(...replies);
    },
    get pending() {
      return queue.length;
    },
    setResponder: (next) => {
      responder = next;
    },
    reset: () => {
      queue.length = 0;
      requests.length = 0;
      responder = undefined;
    },
    chatRequests: () => requests.filter((r) => r.kind === "chat"),
    close,
    [Symbol.asyncDispose]: close,
  };
}

function replyEndpoint(reply: FakeReply): "chat" | "embed" {
  return reply.endpoint ?? ("embeddings" in reply ? "embed" : "chat");
}

const ROUTES: Record<string, { protocol: WireProtocol; kind: "chat" | "embed" }> = {
  "/api/chat": { protocol: "ollama", kind: "chat" },
  "/api/embed": { protocol: "ollama", kind: "embed" },
  "/v1/chat/completions": { protocol: "openai", kind: "chat" },
  "/v1/embeddings": { protocol: "openai", kind: "embed" },
  "/v1/messages": { protocol: "anthropic", kind: "chat" },
};

async function record(req: IncomingMessage): Promise<RecordedRequest> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString("utf8");
  let body: unknown;
  try {
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    body = raw;
  }
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  const route = req.method === "POST" ? ROUTES[path] : undefined;
  const protocol: WireProtocol = route?.protocol ?? (path.startsWith("/api/") ? "ollama" : "openai");
  const fields = isRecord(body) ? body : {};
  return {
    protocol,
    kind: route?.kind ?? "other",
    method: req.method ?? "GET",
    path,
    headers: req.headers,
    body,
    // `name` is what older Ollama clients send to /api/pull.
    model:
      typeof fields.model === "string"
        ? fields.model
        : typeof fields.name === "string"
          ? fields.name
          : undefined,
    system: systemOf(fields),
    userText: route?.kind === "embed" ? embedInputs(fields).join("\n") : lastUserText(fields),
  };
}

/**
 * Ollama's `POST /api/pull`: NDJSON progress (manifest, a layer downloading in steps, verifying,
 * success), after which the model is listed.
 */
async function streamPull(request: RecordedRequest, res: ServerResponse, models: string[]): Promise<void> {
  const fields = isRecord(request.body) ? request.body : {};
  const model = typeof fields.model === "string" ? fields.model : String(fields.name ?? "");
  res.writeHead(200, { "content-type": "application/x-ndjson" });
  const total = 2_000_000_000;
  const lines: object[] = [
    { status: "pulling manifest" },
    ...[0, 0.25, 0.5, 0.75, 1].map((share) => ({
      status: "pulling dde5aa3fc5ff",
      digest: "sha256:dde5aa3fc5ff",
      total,
      completed: Math.round(total * share),
    })),
    { status: "verifying sha256 digest" },
    { status: "writing manifest" },
    { status: "success" },
  ];
  for (const line of lines) {
    if (res.destroyed) return;
    res.write(`${JSON.stringify(line)}\n`);
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  if (!models.includes(model)) models.push(model);
  res.end();
}

function answerOther(request: RecordedRequest, res: ServerResponse, models: readonly string[]): void {
  if (request.path === "/api/tags") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ models: models.map((name) => ({ name, model: name })) }));
  } else if (request.path === "/v1/models") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ object: "list", data: models.map((id) => ({ id, object: "model" })) }));
  } else if (request.path === "/api/version") {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ version: "0.0.0-fake" }));
  } else {
    res.writeHead(404, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: `fake-llm-server: no route ${request.method} ${request.path}` }));
  }
}

function defaultReply(request: RecordedRequest, dimensions: number): FakeReply {
  if (request.kind === "embed") {
    const fields = isRecord(request.body) ? request.body : {};
    return { embeddings: embedInputs(fields).map((text) => deterministicVector(text, dimensions)) };
  }
  return { text: "{}" };
}

/** The texts of an Ollama (`input`) or OpenAI (`input`) embeddings request. */
export function embedInputs(body: Record<string, unknown>): string[] {
  const input = body.input;
  if (typeof input === "string") return [input];
  return Array.isArray(input) ? input.map(String) : [];
}

/** A unit vector derived from the text's characters — the same text always gives the same vector. */
export function deterministicVector(text: string, dimensions: number): number[] {
  const vector = new Array<number>(dimensions).fill(0);
  for (let i = 0; i < text.length; i++) {
    const slot = i % dimensions;
    vector[slot] = (vector[slot] ?? 0) + ((text.charCodeAt(i) * (i + 1)) % 97) / 97;
  }
  const norm = Math.sqrt(vector.reduce((sum, x) => sum + x * x, 0)) || 1;
  return vector.map((x) => x / norm);
}

function systemOf(body: Record<string, unknown>): string | undefined {
  if (typeof body.system === "string") return body.system;
  if (Array.isArray(body.system))
    return body.system.map((b) => (isRecord(b) ? String(b.text ?? "") : "")).join("");
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const first = messages.find((m) => isRecord(m) && (m.role === "system" || m.role === "developer"));
  return isRecord(first) ? contentText(first.content) : undefined;
}

function lastUserText(body: Record<string, unknown>): string | undefined {
  const messages = Array.isArray(body.messages) ? body.messages : [];
  const users = messages.filter((m) => isRecord(m) && m.role === "user");
  const last = users[users.length - 1];
  return isRecord(last) ? contentText(last.content) : undefined;
}

function contentText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((part) => (isRecord(part) && typeof part.text === "string" ? part.text : "")).join("");
  }
  return "";
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
