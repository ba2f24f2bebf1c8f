/** Hot reload of a gateway's config files (issue 8). */

export {
  ConfigWatcher,
  type ConfigWatcherOptions,
  DEFAULT_RELOAD_DEBOUNCE_MS,
  type LoadedConfig,
  type ReloadEvent,
} from "./config-watcher.js";
export { issuesOf, loadGatewayConfig } from "./load-config.js";
