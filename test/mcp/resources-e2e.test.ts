/**
 * Workspace resources through real clients over real HTTP (issue 8): list with patterns, read text
 * and binary, traversal refused, missing files, subscriptions and list changes, and files a tool
 * call writes announced before its result.
 */
import { mkdir, mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createToolServer,
  type HttpHandle,
  type LoomMcpServer,
  runStreamableHttp,
  silentLogger,
  type ToolSpec,
  WorkspaceResources,
} from "../../src/mcp/index.js";
import { CLIENT_KINDS } from "../fixtures/mcp-clients.js";
import { connectResourceClient, type ResourceClient } from "../fixtures/mcp-resource-clients.js";

let base: string;
let workspace: string;
let server: LoomMcpServer;
let http: HttpHandle;
const PDF_BYTES = Buffer.from([0x25, 0x50, 0x44, 0x46, 0x2d, 0x00, 0xff, 0x10]);

/** A tool that writes a file into the workspace, as a processor worker would. */
const writeTool = (): ToolSpec => ({
  name: "write_file",
  description: "Writes text to a workspace file",
  inputSchema: {
    type: "object",
    required: ["path", "text"],
    properties: { path: { type: "string" }, text: { type: "string" } },
  },
  run: async (args) => {
    const target = path.join(workspace, String(args.path));
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, String(args.text));
    return { ok: true, output: { written: args.path } };
  },
});

beforeAll(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), "loom-resources-e2e-"));
  workspace = path.join(base, "ws");
  await mkdir(path.join(workspace, "reports"), { recursive: true });
  await writeFile(path.join(workspace, "notes.md"), "# Notes\n");
  await writeFile(path.join(workspace, "data.json"), '{"a":1}');
  await writeFile(path.join(workspace, "reports/q1.pdf"), PDF_BYTES);
  await writeFile(path.join(workspace, "skip.txt"), "not matched");
  await writeFile(path.join(base, "secret.md"), "outside the workspace");
  const resources = await WorkspaceResources.open({
    workspaceDir: workspace,
    patterns: ["*.md", "*.json", "reports/**"],
    debounceMs: 30,
  });
  server = createToolServer({
    info: { name: "resources", version: "1.0.0" },
    tools: [writeTool()],
    logger: silentLogger,
    resources,
  });
  http = await runStreamableHttp(server, { port: 0 });
});

afterAll(async () => {
  await http.close();
  await server.close();
  await rm(base, { recursive: true, force: true });
});

describe.each(CLIENT_KINDS)("workspace resources over HTTP (%s)", (kind) => {
  let client: ResourceClient;
  beforeAll(async () => {
    client = await connectResourceClient(kind, http.url);
  });
  afterAll(async () => {
    await client.close();
  });

  it("lists the files matching the patterns with name, MIME type and size, and the template", async () => {
    const resources = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(
      expect.arrayContaining([
        "workspace:///data.json",
        "workspace:///notes.md",
        "workspace:///reports/q1.pdf",
      ]),
    );
    expect(resources.map((r) => r.uri)).not.toContain("workspace:///skip.txt");
    expect(resources.find((r) => r.uri === "workspace:///reports/q1.pdf")).toMatchObject({
      name: "reports/q1.pdf",
      mimeType: "application/pdf",
      size: PDF_BYTES.length,
    });
    expect((await client.listTemplates()).map((t) => t.uriTemplate)).toEqual(["workspace:///{+path}"]);
  });

  it("reads text as text and binary as base64", async () => {
    expect(await client.read("workspace:///notes.md")).toEqual([
      { uri: "workspace:///notes.md", mimeType: "text/markdown", text: "# Notes\n" },
    ]);
    const [pdf] = await client.read("workspace:///reports/q1.pdf");
    expect(Buffer.from(pdf?.blob ?? "", "base64")).toEqual(PDF_BYTES);
  });

  it.each([
    "workspace:///../secret.md",
    "workspace:///%2e%2e/secret.md",
    "workspace:///reports/%2E%2E/%2e%2e/secret.md",
    "workspace:////etc/passwd",
    "workspace:///%2Fetc%2Fpasswd",
    "file:///etc/passwd",
  ])("refuses %s", async (uri) => {
    const error = (await client.read(uri).catch((e: unknown) => e)) as { code?: number; message?: string };
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe(-32602);
    expect(String(error.message)).not.toContain("outside the workspace\n");
  });

  it("answers a missing file with resource-not-found naming the URI", async () => {
    const error = (await client.read("workspace:///missing.md").catch((e: unknown) => e)) as {
      code?: number;
      data?: unknown;
      message?: string;
    };
    expect(error.code).toBe(-32602);
    expect(error.data).toEqual({ uri: "workspace:///missing.md" });
    expect(error.message).toContain("Resource not found");
  });

  it("sends resources/updated to a subscriber within a second of a write", async () => {
    const uri = "workspace:///data.json";
    await client.subscribe(uri);
    const before = client.seen.length;
    await writeFile(path.join(workspace, "data.json"), `{"kind":"${kind}"}`);
    const started = Date.now();
    await client.waitFor((n, i = client.seen.indexOf(n)) => i >= before && n.uri === uri);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("sends resources/list_changed when a file is added or removed", async () => {
    const before = client.seen.length;
    const isListChange = (n: { method: string }) =>
      client.seen.indexOf(n as never) >= before && n.method === "notifications/resources/list_changed";
    await writeFile(path.join(workspace, `added-${kind}.md`), "new");
    await client.waitFor(isListChange);
    expect((await client.listResources()).map((r) => r.uri)).toContain(`workspace:///added-${kind}.md`);
    const mid = client.seen.length;
    await unlink(path.join(workspace, `added-${kind}.md`));
    await client.waitFor(
      (n) => client.seen.indexOf(n) >= mid && n.method === "notifications/resources/list_changed",
    );
    expect((await client.listResources()).map((r) => r.uri)).not.toContain(`workspace:///added-${kind}.md`);
  });

  it("announces the files a tool call created before the call returns", async () => {
    const before = client.seen.length;
    const result = await client.callTool("write_file", { path: `reports/out-${kind}.json`, text: "{}" });
    expect(result.isError).toBeFalsy();
    // The check after the call runs before the result goes out, so the notification is already here.
    await new Promise((resolve) => setImmediate(resolve));
    expect(client.seen.slice(before).some((n) => n.method === "notifications/resources/list_changed")).toBe(
      true,
    );
  });
});
