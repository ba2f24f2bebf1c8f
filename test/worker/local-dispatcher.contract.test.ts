import { LocalDispatcher } from "../../src/worker/local-dispatcher.js";
import { runDispatcherSuite } from "./dispatcher-contract.js";

runDispatcherSuite({
  name: "LocalDispatcher",
  newDispatcher: async ({ workers, settings }) => new LocalDispatcher({ workers, settings }),
});
