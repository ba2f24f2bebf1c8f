/** The Workshop: the web UI where workers are edited, tested and evaluated before they ship. */
export { WorkerCatalog, type WorkerEntry } from "./catalog.js";
export { startWorkshop, type WorkshopHandle, type WorkshopOptions } from "./server/start.js";
export { type ConfigVersion, VersionStore } from "./versions.js";
