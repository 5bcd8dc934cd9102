// A test agent whose action takes as long as it is told to: for soft shutdown,
// replies produced while the broker is away, and DDL timeouts.
const brand = Symbol.for("phobos.plugin");

export default Object.freeze({
  [brand]: { type: "agent", api: 1 },
  type: "agent",
  name: "sleeper",
  create: () => ({
    actions: {
      async sleep(request, reply) {
        const seconds = Number(request.data.seconds);
        await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
        reply.data.slept = seconds;
      },
    },
  }),
});
