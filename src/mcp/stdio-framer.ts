/**
 * Line framing in front of the SDK's stdio reader, so that every bad line gets a JSON-RPC 2.0
 * error reply (https://www.jsonrpc.org/specification#error_object) instead of silence: the SDK
 * skips a line that is not JSON, drops one that is not JSON-RPC, and closes the connection when a
 * message outgrows its buffer. Good lines go on to the SDK already parsed, so no line is parsed
 * twice.
 */

/** Largest stdio message accepted by default. @default 10 MiB */
export const DEFAULT_MAX_MESSAGE_BYTES = 10 * 1024 * 1024;

/** A JSON-RPC error reply the framer wants sent. */
export interface FramingError {
  jsonrpc: "2.0";
  id: string | number | null;
  error: { code: number; message: string };
}

/** JSON-RPC 2.0 error codes the framer answers with. */
export const JSONRPC_PARSE_ERROR = -32700;
export const JSONRPC_INVALID_REQUEST = -32600;

/**
 * Splits stdin into lines; passes each JSON-RPC message to `forward` (parsed), answers the rest
 * through `reply`. A line longer than `maxMessageBytes` is discarded as it streams in.
 */
export class StdioFramer {
  readonly #maxMessageBytes: number;
  readonly #forward: (message: Record<string, unknown>) => void;
  readonly #reply: (error: FramingError) => void;
  #chunks: Buffer[] = [];
  /** Whether an `initialize` request came by (2025-era lifecycle). */
  #initialized = false;
  #length = 0;
  #oversized = false;

  constructor(
    maxMessageBytes: number,
    forward: (message: Record<string, unknown>) => void,
    reply: (error: FramingError) => void,
  ) {
    this.#maxMessageBytes = maxMessageBytes;
    this.#forward = forward;
    this.#reply = reply;
  }

  /** Takes the next chunk of stdin. */
  push(chunk: Buffer): void {
    let rest = chunk;
    while (rest.length > 0) {
      const newline = rest.indexOf(0x0a);
      const piece = newline === -1 ? rest : rest.subarray(0, newline);
      this.#append(piece);
      if (newline === -1) return;
      this.#endLine();
      rest = rest.subarray(newline + 1);
    }
  }

  /**
   * Before `initialize`, the MCP lifecycle allows only `initialize` and `ping` (and 2026-era
   * requests, which say their protocol version in `_meta`): another request is answered with an
   * error and never runs; a notification is dropped (JSON-RPC forbids answering one).
   */
  #allowedBeforeInitialize(message: Record<string, unknown>): boolean {
    const method = message.method;
    if (method === "initialize") {
      this.#initialized = true;
      return true;
    }
    if (method === undefined || method === "ping") return true;
    const meta = (message.params as { _meta?: Record<string, unknown> } | undefined)?._meta;
    if (typeof meta?.[PROTOCOL_VERSION_META] === "string") return true;
    if ("id" in message) {
      this.#reply(
        invalid(
          idOf(message),
          `'${String(method)}' before 'initialize': send an initialize request first (MCP lifecycle), or give the protocol version in params._meta["${PROTOCOL_VERSION_META}"]`,
        ),
      );
    }
    return false;
  }

  #append(piece: Buffer): void {
    if (this.#oversized) {
      this.#length += piece.length;
      return;
    }
    this.#length += piece.length;
    if (this.#length > this.#maxMessageBytes) {
      this.#oversized = true;
      this.#chunks = [];
      return;
    }
    this.#chunks.push(piece);
  }

  #endLine(): void {
    const length = this.#length;
    const oversized = this.#oversized;
    const line = oversized
      ? undefined
      : this.#chunks.length === 1
        ? this.#chunks[0]
        : Buffer.concat(this.#chunks);
    this.#chunks = [];
    this.#length = 0;
    this.#oversized = false;
    if (oversized || !line) {
      this.#reply(
        invalid(
          null,
          `message of ${length} bytes exceeds the stdio limit of ${this.#maxMessageBytes} bytes (raise it with --max-message-size)`,
        ),
      );
      return;
    }
    const end = line.at(-1) === 0x0d ? line.length - 1 : line.length;
    const text = line.toString("utf8", 0, end);
    if (text.trim() === "") return;
    let message: unknown;
    try {
      message = JSON.parse(text);
    } catch (error) {
      this.#reply({
        jsonrpc: "2.0",
        id: null,
        error: { code: JSONRPC_PARSE_ERROR, message: `parse error: ${(error as Error).message}` },
      });
      return;
    }
    const problem = jsonRpcProblem(message);
    if (problem) {
      this.#reply(invalid(idOf(message), `invalid request: ${problem}`));
      return;
    }
    if (!this.#initialized && !this.#allowedBeforeInitialize(message as Record<string, unknown>)) return;
    this.#forward(message as Record<string, unknown>);
  }
}

/** The `_meta` key of a 2026-era request: such requests are stateless and need no `initialize`. */
const PROTOCOL_VERSION_META = "io.modelcontextprotocol/protocolVersion";

function invalid(id: string | number | null, message: string): FramingError {
  return { jsonrpc: "2.0", id, error: { code: JSONRPC_INVALID_REQUEST, message } };
}

function idOf(message: unknown): string | number | null {
  if (typeof message !== "object" || message === null) return null;
  const id = (message as { id?: unknown }).id;
  return typeof id === "string" || typeof id === "number" ? id : null;
}

/** What makes `message` not a JSON-RPC 2.0 message, or undefined when it is one. */
function jsonRpcProblem(message: unknown): string | undefined {
  if (typeof message !== "object" || message === null || Array.isArray(message)) {
    return "a message must be a JSON object (batches are not supported)";
  }
  const m = message as Record<string, unknown>;
  if (m.jsonrpc !== "2.0") return `"jsonrpc" must be "2.0" (got ${JSON.stringify(m.jsonrpc)})`;
  const hasId = "id" in m;
  if (hasId && typeof m.id !== "string" && typeof m.id !== "number") return '"id" must be a string or number';
  if ("method" in m) {
    if (typeof m.method !== "string") return '"method" must be a string';
    if ("params" in m && (typeof m.params !== "object" || m.params === null))
      return '"params" must be an object';
    return undefined;
  }
  if (hasId && ("result" in m || "error" in m)) return undefined;
  return 'a message needs a "method" (request or notification) or an "id" with "result" or "error"';
}
