/** Is the NATS server there, with JetStream? */
import { errorMessage } from "../errors.js";
import type { CheckResult } from "./check.js";

export async function checkNats(url: string, credsFile?: string): Promise<CheckResult> {
  // The NATS client takes ~60 ms to load: only commands given a NATS URL load it.
  const [{ jetstreamManager }, { connectNats, redactNatsUrl }] = await Promise.all([
    import("@nats-io/jetstream"),
    import("../bus/connection.js"),
  ]);
  const name = "NATS";
  const shown = redactNatsUrl(url);
  let nc: Awaited<ReturnType<typeof connectNats>>;
  try {
    nc = await connectNats({ url, name: "loom-preflight", ...(credsFile ? { credsFile } : {}) });
  } catch (error) {
    return {
      name,
      ok: false,
      detail: errorMessage(error),
      fix: "start it: nats-server -js (or set --nats-url / LOOM_NATS_URL)",
    };
  }
  try {
    await (await jetstreamManager(nc)).getAccountInfo();
    return { name, ok: true, detail: `${shown} with JetStream` };
  } catch (error) {
    return {
      name,
      ok: false,
      detail: `${shown} answers but JetStream is not enabled (${errorMessage(error)})`,
      fix: "restart the server with JetStream: nats-server -js",
    };
  } finally {
    await nc.close();
  }
}
