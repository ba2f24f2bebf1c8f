/** Safe file access inside a workspace folder. */
export { WorkspaceError } from "./workspace-error.js";
export { isInside, WorkspaceManager } from "./workspace-manager.js";
