/** Workspace files as watched MCP resources (Part 12, step 4; issue 8). */

export {
  DEFAULT_MAX_READ_BYTES,
  TooManyFilesError,
  toResource,
  WorkspaceCatalog,
  type WorkspaceCatalogOptions,
  type WorkspaceFile,
} from "./catalog.js";
export { ChangeTracker, isEmptyChange, type WorkspaceChanges } from "./change-tracker.js";
export { DEFAULT_MIME_TYPE, isTextMimeType, mimeTypeOf } from "./mime.js";
export { DEFAULT_MAX_CONCURRENT_READS, ReadLimiter } from "./read-limiter.js";
export {
  DEFAULT_MAX_WATCHED_FILES,
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
