// The bare JetStream side of bench/mesh.ts, in its own process like a mesh worker: a pull
// consumer on a work-queue stream that acks each message and publishes the reply. No Loom code.
import { AckPolicy, jetstream, jetstreamManager, RetentionPolicy } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { consumeUntilTerm } from "./_consume.mjs";

const nc = await connect({ servers: process.argv[2], noAsyncTraces: true });
const jsm = await jetstreamManager(nc);
await jsm.streams.add({ name: "BENCH_BARE", subjects: ["bench.bare"], retention: RetentionPolicy.Workqueue });
await jsm.consumers.add("BENCH_BARE", { durable_name: "bare", ack_policy: AckPolicy.Explicit });
const messages = await consumeUntilTerm(nc, jetstream(nc), "BENCH_BARE", "bare");
for await (const msg of messages) {
  nc.publish(msg.headers?.get("reply") ?? "", msg.data);
  msg.ack();
}
