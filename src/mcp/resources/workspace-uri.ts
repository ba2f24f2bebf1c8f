/**
 * `workspace:///<relative path>` URIs: how a workspace file is named to MCP clients. Each path
 * segment is percent-encoded; parsing decodes it and leaves the safety checks (`..`, absolute
 * paths, symlinks) to `WorkspaceManager.resolve`, which sees the decoded path — so `%2e%2e` is
 * refused exactly like `..`.
 */
import { ProtocolError, ProtocolErrorCode } from "@modelcontextprotocol/server";

/** The scheme and empty authority every workspace resource URI starts with. */
export const WORKSPACE_URI_PREFIX = "workspace:///";

/** The RFC 6570 template clients can fill to read any workspace file. */
export const WORKSPACE_URI_TEMPLATE = "workspace:///{+path}";

/**
 * The URI of a workspace file, from its `/`-separated path relative to the workspace.
 *
 * @example toWorkspaceUri("reports/q1 summary.md") // "workspace:///reports/q1%20summary.md"
 */
export function toWorkspaceUri(relativePath: string): string {
  return WORKSPACE_URI_PREFIX + relativePath.split("/").map(encodeURIComponent).join("/");
}

/**
 * The relative path a `workspace:///` URI names, percent-decoded. Throws an MCP Invalid Params
 * error for another scheme, an authority (`workspace://host/x`), a query or fragment, or a
 * malformed escape. The path is NOT checked for traversal here: resolve it through a
 * `WorkspaceManager`.
 *
 * @example parseWorkspaceUri("workspace:///a/b%20c.txt") // "a/b c.txt"
 */
export function parseWorkspaceUri(uri: string): string {
  const refuse = (why: string): never => {
    throw new ProtocolError(
      ProtocolErrorCode.InvalidParams,
      `invalid workspace resource URI ${JSON.stringify(uri)}: ${why} (expected ${WORKSPACE_URI_PREFIX}<path relative to the workspace>)`,
      { uri },
    );
  };
  if (!uri.startsWith(WORKSPACE_URI_PREFIX)) return refuse("not a workspace:/// URI");
  const encoded = uri.slice(WORKSPACE_URI_PREFIX.length);
  if (encoded === "") return refuse("it names no file");
  if (/[?#]/.test(encoded)) return refuse("queries and fragments are not allowed");
  try {
    return decodeURIComponent(encoded);
  } catch {
    return refuse("it contains a malformed percent-escape");
  }
}
