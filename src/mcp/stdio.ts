/**
 * The stdio transport (the default, for Claude Desktop, Cursor and other local hosts). The SDK's
 * `serveStdio` decides the protocol era from the opening message and pins one instance for the
 * connection. stdout carries protocol messages only: anything that would print to it is sent to
 * stderr instead.
 */
import type { Readable, Writable } from "node:stream";
import { type JSONRPCMessage, parseJSONRPCMessage } from "@modelcontextprotocol/server";
import { StdioServerTransport, serveStdio } from "@modelcontextprotocol/server/stdio";
import type { LoomMcpServer } from "./gateway-server.js";
import { lineWithKeptListing } from "./listing-json.js";
import { DEFAULT_MAX_MESSAGE_BYTES, StdioFramer } from "./stdio-framer.js";

/** Options of {@link runStdio}. */
export interface StdioOptions {
  /** @default process.stdin */
  stdin?: Readable;
  /** @default process.stdout */
  stdout?: Writable;
  /**
   * Send `console.log`/`info`/`debug` to stderr, so a library that prints cannot corrupt the
   * protocol stream. @default true when stdout is process.stdout
   */
  guardConsole?: boolean;
  /**
   * Largest message read from stdin; a longer one is answered with a JSON-RPC error and skipped.
   * @default DEFAULT_MAX_MESSAGE_BYTES (10 MiB)
   */
  maxMessageBytes?: number;
}

/** A running stdio connection. */
export interface StdioHandle {
  /**
   * Resolves when the client closes stdin (or {@link StdioHandle.close} is called). Results of
   * calls still running can still be written until {@link StdioHandle.close}.
   */
  readonly closed: Promise<void>;
  /** Closes the connection. Does not close the gateway; call `server.close()` for that. */
  close(): Promise<void>;
}

/**
 * A stdio transport that tells us when it closes (the SDK entry owns its `onclose`), and that
 * stays open for writing when stdin ends: the SDK's closes at end of input and drops the results
 * of calls still in flight, so `printf … | loom mcp` would lose them. Here end of input only
 * reports the end; the owner drains the calls in flight, then closes.
 */
class ObservedStdioTransport extends StdioServerTransport {
  readonly #onClosed: () => void;
  readonly #stdout: Writable;
  #closed = false;

  constructor(
    stdin: Readable | undefined,
    stdout: Writable | undefined,
    onClosed: () => void,
    maxMessageBytes: number,
  ) {
    // The framer reads stdin and enforces the size limit; the SDK's read buffer is not used.
    super(stdin, stdout, { maxBufferSize: maxMessageBytes + 2 });
    this.#stdout = stdout ?? process.stdout;
    this.#onClosed = onClosed;
    this._onstdinclose = onClosed;
    // The framer has parsed the line and checked it is JSON-RPC; the SDK's own check runs here.
    // As in the SDK's reader, a message that fails it or throws while delivered is reported, and
    // reading goes on.
    const forward = (message: Record<string, unknown>) => {
      try {
        this.onmessage?.(parseJSONRPCMessage(message));
      } catch (error) {
        this.onerror?.(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const framer = new StdioFramer(maxMessageBytes, forward, (error) => {
      // JSON-RPC 2.0 answers an unidentifiable request with `"id": null`, which the SDK's type omits.
      this.send(error as unknown as JSONRPCMessage).catch((e: unknown) =>
        this.onerror?.(e instanceof Error ? e : new Error(String(e))),
      );
    });
    this._ondata = (chunk) => framer.push(chunk);
  }

  /** A cached tool list is written with its kept JSON (see listing-json.ts); the rest by the SDK. */
  override send(message: JSONRPCMessage): Promise<void> {
    const line = lineWithKeptListing(message);
    return line === undefined ? super.send(message) : this.#writeLine(line);
  }

  /** Writes as the SDK's `send` does: rejects once closed or on a write error, waits for a drain. */
  #writeLine(line: string): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("StdioServerTransport is closed"));
    const stdout = this.#stdout;
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => {
        stdout.off("drain", onDrain);
        reject(error);
      };
      const onDrain = () => {
        stdout.off("error", onError);
        resolve();
      };
      stdout.once("error", onError);
      if (stdout.write(line)) onDrain();
      else stdout.once("drain", onDrain);
    });
  }

  override async close(): Promise<void> {
    this.#closed = true;
    await super.close();
    this.#onClosed();
  }
}

/**
 * Serves `server` over stdio until the client closes stdin.
 *
 * @example
 * const server = await createServer("configs/mcp/example.yaml");
 * const stdio = runStdio(server);
 * await stdio.closed;
 * await server.close();
 */
export function runStdio(server: LoomMcpServer, options: StdioOptions = {}): StdioHandle {
  if (options.guardConsole ?? options.stdout === undefined) guardConsole();
  let markClosed: () => void = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const transport = new ObservedStdioTransport(
    options.stdin,
    options.stdout,
    markClosed,
    options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
  );
  const handle = serveStdio(server.factory, {
    transport,
    onerror: (error) => server.logger.warn({ error: error.message }, "stdio transport error"),
  });
  server.logger.info({ server: server.info.name, tools: server.tools.length }, "serving MCP over stdio");
  return {
    closed,
    close: async () => {
      await handle.close();
      markClosed();
    },
  };
}

/** Routes console output meant for stdout to stderr (stdout is the protocol channel). */
function guardConsole(): void {
  const toStderr = (...args: unknown[]) => console.error(...args);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
}
