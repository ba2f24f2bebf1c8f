// The baseline of bench/mcp.ts: a bare MCP server built with the same SDK as the gateway
// (@modelcontextprotocol/server v2), exposing one echo tool with a raw JSON Schema — no YAML, no
// dispatcher, no workers. `node bench/_mcp-bare-server.mjs stdio` or `... http` (prints
// "serving at <url>" on stderr once listening on a free port).
import { createServer } from "node:http";
import { toNodeHandler } from "@modelcontextprotocol/node";
import { createMcpHandler, fromJsonSchema, McpServer } from "@modelcontextprotocol/server";
import { serveStdio } from "@modelcontextprotocol/server/stdio";

const schema = {
  type: "object",
  required: ["text"],
  properties: { text: { type: "string" } },
  additionalProperties: false,
};

function factory() {
  const server = new McpServer({ name: "bare-echo", version: "1.0.0" }, { capabilities: { tools: {} } });
  server.registerTool(
    "echo",
    {
      description: "Returns its input",
      inputSchema: fromJsonSchema(schema),
      outputSchema: fromJsonSchema(schema),
    },
    async (args) => {
      const output = { text: args.text };
      return {
        content: [{ type: "text", text: JSON.stringify(output, null, 2) }],
        structuredContent: output,
      };
    },
  );
  return server;
}

if (process.argv[2] === "http") {
  const handler = toNodeHandler(createMcpHandler(factory));
  const http = createServer((req, res) => {
    handler(req, res).catch(() => res.writeHead(500).end());
  });
  http.listen(0, "127.0.0.1", () => {
    process.stderr.write(`serving at http://127.0.0.1:${http.address().port}/mcp\n`);
  });
  process.on("SIGTERM", () => http.close(() => process.exit(0)));
} else {
  serveStdio(factory);
}
