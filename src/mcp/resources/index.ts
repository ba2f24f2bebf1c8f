/** Workspace files as watched MCP resources (Part 12, step 4; issue 8). */

export {
  DEFAULT_MAX_READ_BYTES,
  toResource,
  WorkspaceCatalog,
  type WorkspaceCatalogOptions,
  type WorkspaceFile,
} from "./catalog.js";
export { ChangeTracker, isEmptyChange, type WorkspaceChanges } from "./change-tracker.js";
export { DEFAULT_MIME_TYPE, isTextMimeType, mimeTypeOf } from "./mime.js";
export {
  DEFAULT_RESOURCE_DEBOUNCE_MS,
  type WorkspaceEvent,
  WorkspaceResources,
  type WorkspaceResourcesOptions,
} from "./workspace-resources.js";
export {
  parseWorkspaceUri,
  toWorkspaceUri,
  WORKSPACE_URI_PREFIX,
  WORKSPACE_URI_TEMPLATE,
} from "./workspace-uri.js";
