/**
 * The `resources/*` methods of one MCP server instance: workspace files (Part 12, step 4) when the
 * config has `resources.workspace_dir`, empty lists otherwise (the capability is always declared,
 * so clients and the conformance suite find the methods they probe). Our own handlers rather than
 * `McpServer.registerResource`: the SDK normalises a URI with `new URL()` before matching it, which
 * would silently turn `workspace:///../x` into `workspace:///x` instead of refusing it.
 */
import { type McpServer, ResourceNotFoundError } from "@modelcontextprotocol/server";
import type { WorkspaceResources } from "./resources/workspace-resources.js";
import { WORKSPACE_URI_TEMPLATE } from "./resources/workspace-uri.js";

/**
 * Installs `resources/list`, `resources/templates/list`, `resources/read`, `resources/subscribe`
 * and `resources/unsubscribe` on `server`. `source` is asked on every request, so a hot reload
 * that changes the workspace is seen at once. Subscribed URIs are added to `subscriptions`.
 */
export function installResourceHandlers(
  server: McpServer,
  source: () => WorkspaceResources | undefined,
  subscriptions: Set<string>,
): void {
  const low = server.server;
  low.setRequestHandler("resources/list", async () => ({ resources: (await source()?.list()) ?? [] }));
  low.setRequestHandler("resources/templates/list", () => {
    if (!source()) return { resourceTemplates: [] };
    return {
      resourceTemplates: [
        {
          uriTemplate: WORKSPACE_URI_TEMPLATE,
          name: "workspace",
          title: "Workspace file",
          description:
            "A file in the gateway's workspace folder, by its path relative to that folder (e.g. reports/q1.pdf).",
        },
      ],
    };
  });
  low.setRequestHandler("resources/read", async (request) => {
    const resources = source();
    if (!resources) {
      throw new ResourceNotFoundError(
        request.params.uri,
        `Resource not found: ${request.params.uri} (this gateway has no resources.workspace_dir)`,
      );
    }
    return resources.read(request.params.uri);
  });
  low.setRequestHandler("resources/subscribe", (request) => {
    subscriptions.add(request.params.uri);
    return {};
  });
  low.setRequestHandler("resources/unsubscribe", (request) => {
    subscriptions.delete(request.params.uri);
    return {};
  });
}
