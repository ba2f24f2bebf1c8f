// Shared by the no-Loom consumer processes of bench/mesh.ts (_bare-consumer.mjs, _bare-chain.mjs).
/**
 * Starts consuming the durable `name` of `stream`, says "ready" on stdout (the bench waits for it),
 * and closes the consumer and the connection on SIGTERM. Returns the messages to iterate.
 */
export async function consumeUntilTerm(nc, js, stream, name) {
  const messages = await (await js.consumers.get(stream, name)).consume({ max_messages: 256 });
  process.stdout.write("ready\n");
  process.on("SIGTERM", () => {
    void messages
      .close()
      .then(() => nc.close())
      .then(() => process.exit(0));
  });
  return messages;
}
