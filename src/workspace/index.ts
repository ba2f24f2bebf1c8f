/** Safe file access inside a workspace folder. */
export { WorkspaceError } from "./workspace-error.js";
export {
  DEFAULT_WORKSPACE_MAX_READ_BYTES,
  isInside,
  WorkspaceManager,
  type WorkspaceManagerOptions,
} from "./workspace-manager.js";
