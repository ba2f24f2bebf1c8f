// The mesh's shape with no Loom code, for bench/mesh.ts: a task is stored three times (incoming, a
// worker queue, its result) and crosses two consumers, as in dispatcher → router → worker. Run as
// `router` or `worker`: each pulls from its work-queue stream, publishes onward and waits for the
// server to store it, then acks.
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { consumeUntilTerm } from "./_consume.mjs";

const [url, role] = process.argv.slice(2);
const nc = await connect({ servers: url, noAsyncTraces: true });
const jsm = await jetstreamManager(nc);
const streams = {
  BENCH_IN: { subjects: ["bench.chain.in"], retention: RetentionPolicy.Workqueue },
  BENCH_WORK: { subjects: ["bench.chain.work"], retention: RetentionPolicy.Workqueue },
  BENCH_RESULTS: { subjects: ["bench.chain.results.>"] },
};
for (const [name, config] of Object.entries(streams)) {
  await jsm.streams.add({ name, ...config }).catch(() => undefined);
}
const source = role === "router" ? "BENCH_IN" : "BENCH_WORK";
await jsm.consumers.add(source, { durable_name: role, ack_policy: AckPolicy.Explicit });
const js = jetstream(nc);
const messages = await consumeUntilTerm(nc, js, source, role);
for await (const msg of messages) {
  const reply = msg.headers?.get("reply") ?? "";
  const id = msg.headers?.get("Nats-Msg-Id") ?? "";
  const onward =
    role === "router"
      ? js.publish("bench.chain.work", msg.data, { headers: msg.headers, msgID: id })
      : js.publish(reply, msg.data, { msgID: `result.${id}` });
  void onward.then(() => msg.ack());
}
